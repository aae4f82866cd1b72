// L0 input buffer: Rows row FIFOs filled one vector at a time, read with a skew of one cycle per row.
// The north input buffer N0 of output-stationary mode is a second instance (one FIFO per column).
// With Simd, a SIMD flag travels through the skew beside the buffer select.
module l0 #(
  parameter int unsigned Rows    = 8,    // array rows (one FIFO each)
  parameter int unsigned ActBits = 8,    // activation width
  parameter int unsigned Depth   = 64,   // entries per row FIFO
  parameter string       Name    = "l0", // instance name in assertion messages ("n0" for N0)
  parameter int unsigned Simd    = 0     // 1: rd_simd_i travels with the vector (else act_simd_o = 0)
) (
  input  logic                           clk_i,        // clock
  input  logic                           rst_ni,       // synchronous reset, active low
  input  logic                           push_i,       // push one vector into every row
  input  logic [Rows-1:0][ActBits-1:0]   data_i,       // the vector, row r at data_i[r]
  input  logic                           rd_i,         // pop row 0 now, row r r cycles later
  input  logic                           rd_sel_i,     // weight buffer travelling with the vector
  input  logic                           rd_simd_i,    // SIMD flag travelling with the vector (Simd only)
  output logic [Rows-1:0]                act_valid_o,  // row r's activation enters the array
  output logic [Rows-1:0]                act_sel_o,    // its weight buffer select
  output logic [Rows-1:0]                act_simd_o,   // its SIMD flag (0 without Simd)
  output logic [Rows-1:0][ActBits-1:0]   act_o,        // row r's activation
  output logic                           empty_o,      // row 0 holds no vector: l0_rd illegal
  output logic                           idle_o,       // every row FIFO is empty
  output logic                           full_o        // some row FIFO is full
);

  // pop[r] / sel[r]: row r pops this cycle, with this buffer select.
  logic [Rows-1:0] pop, sel, row_full, row_empty;

  assign pop[0] = rd_i;
  assign sel[0] = rd_sel_i;

  // The skew: a pop request moves one row further each cycle.
  if (Rows > 1) begin : g_skew
    logic [Rows-2:0] pop_q, sel_q;

    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        pop_q <= '0;
        sel_q <= '0;
      end else begin
        pop_q <= pop[Rows-2:0];
        sel_q <= sel[Rows-2:0];
      end
    end

    assign pop[Rows-1:1] = pop_q;
    assign sel[Rows-1:1] = sel_q;
  end

  // The SIMD flag: the same skew as sel, only with Simd.
  if (Simd != 0) begin : g_simd
    logic [Rows-1:0] simd;

    assign simd[0] = rd_simd_i;

    if (Rows > 1) begin : g_skew
      logic [Rows-2:0] simd_q;

      always_ff @(posedge clk_i) begin
        if (!rst_ni) simd_q <= '0;
        else         simd_q <= simd[Rows-2:0];
      end

      assign simd[Rows-1:1] = simd_q;
    end

    assign act_simd_o = simd;
  end else begin : g_no_simd
    logic unused_simd;
    assign unused_simd = rd_simd_i;
    assign act_simd_o  = '0;
  end

  for (genvar r = 0; r < Rows; r++) begin : g_row

    fifo_sync #(
      .Width (ActBits),
      .Depth (Depth)
    ) u_fifo (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .push_i  (push_i),
      .data_i  (data_i[r]),
      .pop_i   (pop[r]),
      .data_o  (act_o[r]),
      .empty_o (row_empty[r]),
      .full_o  (row_full[r])
    );
  end

  assign act_valid_o = pop;
  assign act_sel_o   = sel;
  assign full_o      = |row_full;
  assign empty_o     = row_empty[0];  // later rows pop later: row 0 empties first
  assign idle_o      = &row_empty;

  // -------------------------------------------------------------------------------------------
  // Assertions (each row FIFO also checks push-when-full / pop-when-empty itself)
  // -------------------------------------------------------------------------------------------
  initial begin : p_params
    assert (Rows >= 1 && ActBits >= 1 && Depth >= 1 && Simd <= 1)
      else $error("%s: illegal parameters Rows=%0d ActBits=%0d Depth=%0d Simd=%0d",
                  Name, Rows, ActBits, Depth, Simd);
  end

  a_no_rd_empty : assert property (@(posedge clk_i) disable iff (!rst_ni) !(rd_i && empty_o))
    else $error("%s: l0_rd with %s empty", Name, Name.toupper());

  a_no_push_full : assert property (@(posedge clk_i) disable iff (!rst_ni) !(push_i && full_o))
    else $error("%s: push into a full %s FIFO (depth %0d)", Name, Name.toupper(), Depth);

endmodule
