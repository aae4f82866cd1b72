// Output FIFO: Cols column FIFOs absorb the array's skewed psums and pop them as aligned rows.
module ofifo #(
  parameter int unsigned Cols     = 8,   // array columns (one FIFO each)
  parameter int unsigned PsumBits = 32,  // psum width
  parameter int unsigned Depth    = 64   // entries per column FIFO
) (
  input  logic                          clk_i,    // clock
  input  logic                          rst_ni,   // synchronous reset, active low
  input  logic [Cols-1:0]               push_i,   // column c's psum arrives
  input  logic [Cols-1:0][PsumBits-1:0] data_i,   // the psums
  input  logic                          pop_i,    // pop one row (illegal unless valid_o)
  output logic                          valid_o,  // every column holds a psum: a row is ready
  output logic [Cols-1:0][PsumBits-1:0] data_o,   // the oldest row
  output logic                          full_o    // some column FIFO is full
);

  logic [Cols-1:0] col_empty, col_full;
  logic            col_pop;

  assign valid_o = ~|col_empty;
  assign col_pop = pop_i && valid_o;
  assign full_o  = |col_full;

  for (genvar c = 0; c < Cols; c++) begin : g_col
    fifo_sync #(
      .Width (PsumBits),
      .Depth (Depth)
    ) u_fifo (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .push_i  (push_i[c]),
      .data_i  (data_i[c]),
      .pop_i   (col_pop),
      .data_o  (data_o[c]),
      .empty_o (col_empty[c]),
      .full_o  (col_full[c])
    );
  end

  // -------------------------------------------------------------------------------------------
  // Assertions (each column FIFO also checks push-when-full itself)
  // -------------------------------------------------------------------------------------------
  initial begin : p_params
    assert (Cols >= 1 && PsumBits >= 1 && Depth >= 1)
      else $error("ofifo: illegal parameters Cols=%0d PsumBits=%0d Depth=%0d",
                  Cols, PsumBits, Depth);
  end

  a_no_pop_partial : assert property (@(posedge clk_i) disable iff (!rst_ni) !(pop_i && !valid_o))
    else $error("ofifo: of_rd while some column is empty (no complete psum row)");

  a_no_push_full : assert property (@(posedge clk_i) disable iff (!rst_ni) !(|(push_i & col_full)))
    else $error("ofifo: push into a full OFIFO column (depth %0d)", Depth);

endmodule
