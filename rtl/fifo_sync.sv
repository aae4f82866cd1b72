// Synchronous first-word-fall-through FIFO: data_o shows the head while not empty.
module fifo_sync #(
  parameter int unsigned Width = 8,  // bits per entry
  parameter int unsigned Depth = 4,  // entries
  localparam int unsigned PtrW = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int unsigned CntW = $clog2(Depth + 1)
) (
  input  logic             clk_i,    // clock
  input  logic             rst_ni,   // synchronous reset, active low
  input  logic             push_i,   // write data_i at the tail (illegal when full without pop_i)
  input  logic [Width-1:0] data_i,   // entry to push
  input  logic             pop_i,    // drop the head (illegal when empty)
  output logic [Width-1:0] data_o,   // head entry, valid while !empty_o
  output logic             empty_o,  // no entry
  output logic             full_o    // Depth entries
);

  logic [Width-1:0] mem_q [Depth];
  logic [PtrW-1:0]  wr_ptr_d, wr_ptr_q, rd_ptr_d, rd_ptr_q;
  logic [CntW-1:0]  count_d, count_q;
  logic             do_push, do_pop;

  assign empty_o = (count_q == '0);
  assign full_o  = (count_q == CntW'(Depth));
  assign data_o  = mem_q[rd_ptr_q];

  // Illegal requests are dropped (and flagged by the assertions below).
  assign do_pop  = pop_i && !empty_o;
  assign do_push = push_i && (!full_o || do_pop);

  always_comb begin
    wr_ptr_d = wr_ptr_q;
    rd_ptr_d = rd_ptr_q;
    count_d  = count_q;
    if (do_push) wr_ptr_d = (32'(wr_ptr_q) == Depth - 1) ? '0 : wr_ptr_q + 1'b1;
    if (do_pop)  rd_ptr_d = (32'(rd_ptr_q) == Depth - 1) ? '0 : rd_ptr_q + 1'b1;
    if (do_push && !do_pop) count_d = count_q + 1'b1;
    if (do_pop && !do_push) count_d = count_q - 1'b1;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      wr_ptr_q <= '0;
      rd_ptr_q <= '0;
      count_q  <= '0;
    end else begin
      wr_ptr_q <= wr_ptr_d;
      rd_ptr_q <= rd_ptr_d;
      count_q  <= count_d;
    end
  end

  // Storage is written with an enable, the SRAM/register-file idiom; it needs no reset.
  always_ff @(posedge clk_i) begin
    if (do_push) mem_q[wr_ptr_q] <= data_i;
  end

  // -------------------------------------------------------------------------------------------
  // Assertions
  // -------------------------------------------------------------------------------------------
  initial begin : p_params
    assert (Depth >= 1 && Width >= 1)
      else $error("fifo_sync: illegal parameters Width=%0d Depth=%0d", Width, Depth);
  end

  a_no_push_full : assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(push_i && full_o && !pop_i))
    else $error("fifo_sync: push into a full FIFO (depth %0d)", Depth);

  a_no_pop_empty : assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(pop_i && empty_o))
    else $error("fifo_sync: pop from an empty FIFO");

endmodule
