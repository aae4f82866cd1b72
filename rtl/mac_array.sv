// Rows x Cols grid of mac_tile: activations flow east, partial sums (OS: weights, drained accumulators)
// flow south, weights load eastward. With Simd, a second (lane-1) weight column loads beside the first
// and SIMD vectors carry two half-width activations per row (docs/isa.md "SIMD mode").
module mac_array #(
  parameter int unsigned Rows       = 8,   // reduction dimension
  parameter int unsigned Cols       = 8,   // output features
  parameter int unsigned ActBits    = 8,   // unsigned activation width
  parameter int unsigned WeightBits = 8,   // signed weight width
  parameter int unsigned PsumBits   = 32,  // signed partial-sum width
  parameter int unsigned Simd       = 0    // 1: the SIMD mode
) (
  input  logic                             clk_i,         // clock
  input  logic                             rst_ni,        // synchronous reset, active low
  input  logic [Rows-1:0]                  act_valid_i,   // west edge: row r's activation valid
  input  logic [Rows-1:0]                  act_sel_i,     // west edge: its weight buffer
  input  logic [Rows-1:0]                  act_simd_i,    // west edge: it is SIMD (Simd only)
  input  logic [Rows-1:0][ActBits-1:0]     act_i,         // west edge: row r's activation
  input  logic                             w_load_i,      // shift one weight column in (west)
  input  logic [Rows-1:0][WeightBits-1:0]  w_i,           // the column, row r at w_i[r]
  input  logic [Rows-1:0][WeightBits-1:0]  w1_i,          // the lane-1 column, shifted with w_i (Simd only)
  input  logic                             w_commit_i,    // every tile: buffer w_buf_i = chain
  input  logic                             w_buf_i,       // buffer w_commit_i writes
  input  logic [Cols-1:0]                  os_w_valid_i,  // north edge: column c's OS weight valid (N0 pops)
  input  logic [Cols-1:0][WeightBits-1:0]  os_w_i,        // north edge: column c's OS weight
  input  logic                             os_drain_i,    // OS: every accumulator south, cleared
  output logic                             draining_o,    // a drain's rows are leaving the south edge
  output logic [Cols-1:0]                  psum_valid_o,  // south edge: column c's psum valid
  output logic [Cols-1:0][PsumBits-1:0]    psum_o         // south edge: column c's psum
);

  localparam int unsigned CntW = $clog2(Rows + 1);

  // Tile outputs; tile (r, c) takes its inputs from (r, c-1) and (r-1, c). Unpacked arrays:
  // a packed 2-D bus would make the simulator shift whole wide words for every tile.
  logic                  valid_e [Rows][Cols];
  logic                  sel_e   [Rows][Cols];
  logic                  simd_e  [Rows][Cols];  // constant 0 without Simd
  logic [ActBits-1:0]    act_e   [Rows][Cols];
  logic [WeightBits-1:0] w_e     [Rows][Cols];
  logic [WeightBits-1:0] w1_e    [Rows][Cols];  // constant 0 without Simd
  logic                  wv_s    [Rows][Cols];
  logic [PsumBits-1:0]   psum_s  [Rows][Cols];

  for (genvar r = 0; r < Rows; r++) begin : g_row
    for (genvar c = 0; c < Cols; c++) begin : g_col
      logic                  valid_w, sel_w, simd_w;
      logic [ActBits-1:0]    act_w;
      logic [WeightBits-1:0] w_w, w1_w;
      logic                  wv_n;
      logic [PsumBits-1:0]   psum_n;

      if (c == 0) begin : g_west_edge
        assign valid_w = act_valid_i[r];
        assign sel_w   = act_sel_i[r];
        assign simd_w  = act_simd_i[r];
        assign act_w   = act_i[r];
        assign w_w     = w_i[r];
        assign w1_w    = w1_i[r];
      end else begin : g_west_tile
        assign valid_w = valid_e[r][c-1];
        assign sel_w   = sel_e[r][c-1];
        assign simd_w  = simd_e[r][c-1];
        assign act_w   = act_e[r][c-1];
        assign w_w     = w_e[r][c-1];
        assign w1_w    = w1_e[r][c-1];
      end

      // The north edge feeds zeros (a WS sum starts there), or the OS weight N0 pops this cycle.
      if (r == 0) begin : g_north_edge
        assign wv_n   = os_w_valid_i[c];
        assign psum_n = os_w_valid_i[c] ? PsumBits'(os_w_i[c]) : '0;
      end else begin : g_north_tile
        assign wv_n   = wv_s[r-1][c];
        assign psum_n = psum_s[r-1][c];
      end

      mac_tile #(
        .ActBits    (ActBits),
        .WeightBits (WeightBits),
        .PsumBits   (PsumBits),
        .Simd       (Simd)
      ) u_tile (
        .clk_i       (clk_i),
        .rst_ni      (rst_ni),
        .act_valid_i (valid_w),
        .act_sel_i   (sel_w),
        .act_simd_i  (simd_w),
        .act_i       (act_w),
        .act_valid_o (valid_e[r][c]),
        .act_sel_o   (sel_e[r][c]),
        .act_simd_o  (simd_e[r][c]),
        .act_o       (act_e[r][c]),
        .psum_i      (psum_n),
        .psum_o      (psum_s[r][c]),
        .wv_i        (wv_n),
        .wv_o        (wv_s[r][c]),
        .os_drain_i  (os_drain_i),
        .w_load_i    (w_load_i),
        .w_i         (w_w),
        .w_o         (w_e[r][c]),
        .w1_i        (w1_w),
        .w1_o        (w1_e[r][c]),
        .w_commit_i  (w_commit_i),
        .w_buf_i     (w_buf_i)
      );
    end
  end

  // After an os_drain the accumulators leave the south edge in the Rows cycles that follow, all
  // columns at once, row Rows-1 first.
  logic [CntW-1:0] drain_cnt_d, drain_cnt_q;

  always_comb begin
    drain_cnt_d = (drain_cnt_q != '0) ? drain_cnt_q - 1'b1 : '0;
    if (os_drain_i) drain_cnt_d = CntW'(Rows);
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) drain_cnt_q <= '0;
    else         drain_cnt_q <= drain_cnt_d;
  end

  assign draining_o = (drain_cnt_q != '0);

  // The bottom row's valid travels east with its activation; it marks its psum valid too, unless
  // the psum is an OS weight leaving the array.
  for (genvar c = 0; c < Cols; c++) begin : g_south
    assign psum_valid_o[c] = (valid_e[Rows-1][c] && !wv_s[Rows-1][c]) || draining_o;
    assign psum_o[c]       = psum_s[Rows-1][c];
  end

  // -------------------------------------------------------------------------------------------
  // Assertions
  // -------------------------------------------------------------------------------------------
  initial begin : p_params
    assert (Rows >= 1 && Cols >= 1)
      else $error("mac_array: illegal shape Rows=%0d Cols=%0d", Rows, Cols);
  end

endmodule
