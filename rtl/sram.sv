// Synchronous SRAM model: one write port and NumRdPorts registered read ports, read-first.
module sram #(
  parameter int unsigned Width      = 32,  // bits per word
  parameter int unsigned Depth      = 256, // words
  parameter int unsigned NumRdPorts = 1,   // independent read ports
  localparam int unsigned AddrW     = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic                                 clk_i,    // clock
  input  logic                                 rst_ni,   // synchronous reset, active low
  input  logic                                 we_i,     // write enable
  input  logic [AddrW-1:0]                     waddr_i,  // write address
  input  logic [Width-1:0]                     wdata_i,  // write data
  input  logic [NumRdPorts-1:0]                re_i,     // read enable per port
  input  logic [NumRdPorts-1:0][AddrW-1:0]     raddr_i,  // read address per port
  output logic [NumRdPorts-1:0][Width-1:0]     rdata_o   // read data, valid the cycle after re_i
);

  // The array is written with an enable (the usual SRAM inference idiom); reading is read-first:
  // a read and a write of one address in the same cycle return the old word.
  logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
  end

  for (genvar p = 0; p < NumRdPorts; p++) begin : g_rd
    logic [Width-1:0] rdata_d, rdata_q;

    always_comb begin
      rdata_d = rdata_q;
      if (re_i[p]) rdata_d = mem_q[raddr_i[p]];
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) rdata_q <= '0;
      else         rdata_q <= rdata_d;
    end

    assign rdata_o[p] = rdata_q;
  end

  // -------------------------------------------------------------------------------------------
  // Assertions
  // -------------------------------------------------------------------------------------------
  initial begin : p_params
    assert (Depth >= 1 && NumRdPorts >= 1 && Width >= 1)
      else $error("sram: illegal parameters Width=%0d Depth=%0d NumRdPorts=%0d",
                  Width, Depth, NumRdPorts);
  end

  if (Depth < (1 << AddrW)) begin : g_range_check
    a_waddr_range : assert property (@(posedge clk_i) disable iff (!rst_ni)
        we_i |-> 32'(waddr_i) < Depth)
      else $error("sram: write address %0d beyond depth %0d", waddr_i, Depth);
    for (genvar p = 0; p < NumRdPorts; p++) begin : g_rd_range
      a_raddr_range : assert property (@(posedge clk_i) disable iff (!rst_ni)
          re_i[p] |-> 32'(raddr_i[p]) < Depth)
        else $error("sram: read address %0d beyond depth %0d", raddr_i[p], Depth);
    end
  end

endmodule
