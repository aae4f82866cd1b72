// MAC tile, weight- or output-stationary per vector: WS psum_o = psum_i + act_i * weight (double-
// buffered behind a load chain); OS acc += act_i * (the weight on psum_i), drained south on request.
// With Simd, a SIMD WS vector computes psum_i + lo * weight + hi * lane-1 weight (two half-width
// activations in act_i; docs/isa.md "SIMD mode").
module mac_tile #(
  parameter int unsigned ActBits    = 8,   // unsigned activation width
  parameter int unsigned WeightBits = 8,   // signed weight width
  parameter int unsigned PsumBits   = 32,  // signed partial-sum width (wraps)
  parameter int unsigned Simd       = 0    // 1: the SIMD mode (lane-1 chain and buffers)
) (
  input  logic                  clk_i,        // clock
  input  logic                  rst_ni,       // synchronous reset, active low
  input  logic                  act_valid_i,  // an activation arrives from the west
  input  logic                  act_sel_i,    // weight buffer it computes with (WS)
  input  logic                  act_simd_i,   // SIMD: act_i holds two ActBits/2 activations (Simd only)
  input  logic [ActBits-1:0]    act_i,        // the activation (unsigned)
  output logic                  act_valid_o,  // registered act_valid_i, to the east
  output logic                  act_sel_o,    // registered act_sel_i, to the east
  output logic                  act_simd_o,   // registered act_simd_i, to the east (0 without Simd)
  output logic [ActBits-1:0]    act_o,        // registered act_i, to the east
  input  logic [PsumBits-1:0]   psum_i,       // partial sum from the north (OS: the weight, low bits)
  output logic [PsumBits-1:0]   psum_o,       // to the south: WS psum, OS weight or drained accumulator
  input  logic                  wv_i,         // OS: psum_i carries a weight (act_valid_i is set too)
  output logic                  wv_o,         // registered wv_i, to the south (psum_o is a weight)
  input  logic                  os_drain_i,   // OS: psum_o = accumulator (this cycle's product included), cleared
  input  logic                  w_load_i,     // shift the load chain east by one tile
  input  logic [WeightBits-1:0] w_i,          // weight from the west neighbour's chain
  output logic [WeightBits-1:0] w_o,          // this tile's chain register, to the east
  input  logic [WeightBits-1:0] w1_i,         // lane-1 weight from the west neighbour's chain (Simd only)
  output logic [WeightBits-1:0] w1_o,         // this tile's lane-1 chain register (0 without Simd)
  input  logic                  w_commit_i,   // copy the chain register(s) into buffer w_buf_i
  input  logic                  w_buf_i       // buffer w_commit_i writes
);

  // Always inlined into mac_array: left to its size heuristic, Verilator keeps Rows x Cols tile
  // instances once the module grows a little (the SIMD ports did), and the model runs slower.
  /* verilator inline_module */

  localparam int unsigned ProdBits = ActBits + WeightBits + 1;

  logic                         valid_d, valid_q, sel_d, sel_q, wv_d, wv_q;
  logic        [ActBits-1:0]    act_d, act_q;
  logic        [PsumBits-1:0]   psum_d, psum_q, acc_d, acc_q;
  logic        [WeightBits-1:0] chain_d, chain_q, weight;
  logic [1:0]  [WeightBits-1:0] buf_d, buf_q;  // packed: cheaper to simulate than an array
  logic signed [ProdBits-1:0]   prod, ws_term;

  // One multiplier for both modes: OS takes the weight arriving from the north, WS the stationary
  // one of the buffer the activation selects. Exact product of an unsigned activation and a
  // signed weight.
  assign weight = wv_i ? psum_i[WeightBits-1:0] : buf_q[act_sel_i];
  assign prod = $signed({1'b0, act_i}) * $signed(weight);

  // The datapath registers load every cycle (no hold when idle): outputs are meaningful only
  // with act_valid_o (WS), wv_o (OS weight) or during a drain. Without a valid activation the psum
  // passes through unchanged, so a drain shifts through idle tiles.
  always_comb begin
    valid_d  = act_valid_i;
    sel_d    = act_sel_i;
    act_d    = act_i;
    wv_d     = wv_i;
    psum_d   = psum_i;  // idle, or OS: the weight passes south
    acc_d    = acc_q;
    chain_d  = chain_q;
    buf_d    = buf_q;
    if (wv_i) begin
      acc_d  = acc_q + PsumBits'(prod);
    end else if (act_valid_i) begin
      psum_d   = psum_i + PsumBits'(ws_term);
    end
    if (os_drain_i) begin
      psum_d = acc_d;
      acc_d  = '0;
      wv_d   = 1'b0;
    end
    if (w_load_i) chain_d = w_i;
    if (w_commit_i) buf_d[w_buf_i] = chain_q;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      valid_q  <= 1'b0;
      sel_q    <= 1'b0;
      wv_q     <= 1'b0;
      act_q    <= '0;
      psum_q   <= '0;
      acc_q    <= '0;
      chain_q  <= '0;
      buf_q    <= '0;
    end else begin
      valid_q  <= valid_d;
      sel_q    <= sel_d;
      wv_q     <= wv_d;
      act_q    <= act_d;
      psum_q   <= psum_d;
      acc_q    <= acc_d;
      chain_q  <= chain_d;
      buf_q    <= buf_d;
    end
  end

  assign act_valid_o = valid_q;
  assign act_sel_o   = sel_q;
  assign act_o       = act_q;
  assign psum_o      = psum_q;
  assign wv_o        = wv_q;
  assign w_o         = chain_q;

  // SIMD lane 1: a second chain register and buffer pair, loaded and committed with lane 0, and the
  // flag travelling east with the activation. A build without Simd has none of it.
  if (Simd != 0) begin : g_simd
    localparam int unsigned H = ActBits / 2;
    localparam int unsigned HalfBits = H + WeightBits + 1;  // one exact half-width product

    logic                         simd_q;
    logic        [WeightBits-1:0] chain1_d, chain1_q;
    logic [1:0]  [WeightBits-1:0] buf1_d, buf1_q;
    logic signed [HalfBits-1:0]   prod_lo, prod_hi;

    // Exact: lo * w_lane0 + hi * w_lane1 needs H + WeightBits + 2 <= ProdBits bits (H >= 1).
    assign prod_lo = $signed({1'b0, act_i[H-1:0]}) * $signed(buf_q[act_sel_i]);
    assign prod_hi = $signed({1'b0, act_i[2*H-1:H]}) * $signed(buf1_q[act_sel_i]);
    assign ws_term = act_simd_i ? ProdBits'(prod_lo) + ProdBits'(prod_hi) : prod;

    always_comb begin
      chain1_d = chain1_q;
      buf1_d   = buf1_q;
      if (w_load_i) chain1_d = w1_i;
      if (w_commit_i) buf1_d[w_buf_i] = chain1_q;
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        simd_q   <= 1'b0;
        chain1_q <= '0;
        buf1_q   <= '0;
      end else begin
        simd_q   <= act_simd_i;
        chain1_q <= chain1_d;
        buf1_q   <= buf1_d;
      end
    end

    assign act_simd_o = simd_q;
    assign w1_o       = chain1_q;
  end else begin : g_no_simd
    logic unused_simd;
    assign unused_simd = ^{act_simd_i, w1_i};
    assign ws_term     = prod;
    assign act_simd_o  = 1'b0;
    assign w1_o        = '0;
  end

  // -------------------------------------------------------------------------------------------
  // Assertions
  // -------------------------------------------------------------------------------------------
  initial begin : p_params
    assert (ActBits >= 1 && WeightBits >= 2 && PsumBits >= 2 && PsumBits <= 64 &&
            WeightBits <= PsumBits)
      else $error("mac_tile: illegal parameters ActBits=%0d WeightBits=%0d PsumBits=%0d",
                  ActBits, WeightBits, PsumBits);
    assert (Simd <= 1 && (Simd == 0 || ActBits % 2 == 0))
      else $error("mac_tile: illegal Simd=%0d (0 or 1; 1 needs an even ActBits, got %0d)",
                  Simd, ActBits);
  end

  // An OS weight meets its activation: the two skews (L0 rows, N0 columns) line them up.
  a_weight_with_act : assert property (@(posedge clk_i) disable iff (!rst_ni) wv_i |-> act_valid_i)
    else $error("mac_tile: an OS weight arrives without its activation");

  // SIMD is weight-stationary only (core checks l0_simd with l0_os at the instruction).
  a_simd_not_os : assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(Simd != 0 && act_valid_i && act_simd_i && wv_i))
    else $error("mac_tile: a SIMD activation meets an OS weight");

endmodule
