// Test top: splits an instr_t into its fields and shows the package's latencies, to check the
// C++ side (sw/include/accel/isa_fields.def, accel::lat) against the package.
module instr_probe
  import accel_pkg::*;
#(
  parameter int unsigned ProbeRows = 3,  // shape for the latency functions (wider than tall:
  parameter int unsigned ProbeCols = 5   // data_bits then comes from Cols * WeightBits)
) (
  input  instr_t                instr_i,         // packed instruction word
  output logic                  xmem_wr_o,       // instr_i.xmem_wr
  output logic [AddrBits-1:0]   xmem_wr_addr_o,  // instr_i.xmem_wr_addr
  output logic                  xmem_rd_o,       // instr_i.xmem_rd
  output logic [AddrBits-1:0]   xmem_rd_addr_o,  // instr_i.xmem_rd_addr
  output logic                  w_load_o,        // instr_i.w_load
  output logic                  w_commit_o,      // instr_i.w_commit
  output logic                  w_buf_o,         // instr_i.w_buf
  output logic                  l0_rd_o,         // instr_i.l0_rd
  output logic                  l0_wsel_o,       // instr_i.l0_wsel
  output logic                  of_rd_o,         // instr_i.of_rd
  output logic                  of_acc_o,        // instr_i.of_acc
  output logic [AddrBits-1:0]   of_addr_o,       // instr_i.of_addr
  output logic                  out_rd_o,        // instr_i.out_rd
  output logic                  out_raw_o,       // instr_i.out_raw
  output logic                  out_relu_o,      // instr_i.out_relu
  output logic [AddrBits-1:0]   out_addr_o,      // instr_i.out_addr
  output logic                  par_wr_o,        // instr_i.par_wr
  output logic [1:0]            par_sel_o,       // instr_i.par_sel
  output logic [ColIdxBits-1:0] par_col_o,       // instr_i.par_col
  output logic                  ctr_clr_o,       // instr_i.ctr_clr
  output logic                  wmem_wr_o,       // instr_i.wmem_wr
  output logic                  wmem_rd_o,       // instr_i.wmem_rd
  output logic [AddrBits-1:0]   wmem_rd_addr_o,  // instr_i.wmem_rd_addr
  output logic                  l0_os_o,         // instr_i.l0_os
  output logic                  os_drain_o,      // instr_i.os_drain
  output logic                  l0_simd_o,       // instr_i.l0_simd
  output logic [31:0]           instr_bits_o,    // $bits(instr_t)
  output logic [7:0]            lat_xmem_wr_to_xmem_rd_o,  // LatXmemWrToXmemRd
  output logic [7:0]            lat_xmem_rd_to_l0_rd_o,    // LatXmemRdToL0Rd
  output logic [7:0]            lat_load_to_commit_o,      // LatLoadToCommit
  output logic [7:0]            lat_commit_to_l0_rd_o,     // LatCommitToL0Rd
  output logic [7:0]            lat_of_rd_to_psum_out_o,   // LatOfRdToPsumOut
  output logic [7:0]            lat_of_rd_to_out_rd_o,     // LatOfRdToOutRd
  output logic [7:0]            lat_par_wr_to_out_rd_o,    // LatParWrToOutRd
  output logic [7:0]            lat_out_rd_to_out_o,       // LatOutRdToOut
  output logic [7:0]            lat_wmem_wr_to_wmem_rd_o,  // LatWmemWrToWmemRd
  output logic [7:0]            lat_wmem_rd_to_l0_rd_o,    // LatWmemRdToL0Rd
  output logic [7:0]            lat_drain_to_l0_rd_o,      // LatDrainToL0Rd
  output logic [7:0]            lat_drain_to_of_rd_o,      // LatDrainToOfRd
  output logic [15:0]           lat_os_l0rd_to_drain_o,    // lat_os_l0rd_to_drain(ProbeRows, ProbeCols)
  output logic [15:0]           lat_ws_l0rd_to_drain_o,    // lat_ws_l0rd_to_drain(ProbeRows, ProbeCols)
  output logic [15:0]           lat_drain_to_drain_o,      // lat_drain_to_drain(ProbeRows)
  output logic [31:0]           data_bits_o,               // data_bits(ProbeRows, ProbeCols, 8, 8, 0)
  output logic [15:0]           lat_l0rd_to_ofrd_o,        // lat_l0rd_to_ofrd(ProbeRows, ProbeCols)
  output logic [15:0]           lat_l0rd_to_commit_o       // lat_l0rd_to_commit(ProbeRows, ProbeCols)
);

  assign xmem_wr_o      = instr_i.xmem_wr;
  assign xmem_wr_addr_o = instr_i.xmem_wr_addr;
  assign xmem_rd_o      = instr_i.xmem_rd;
  assign xmem_rd_addr_o = instr_i.xmem_rd_addr;
  assign w_load_o       = instr_i.w_load;
  assign w_commit_o     = instr_i.w_commit;
  assign w_buf_o        = instr_i.w_buf;
  assign l0_rd_o        = instr_i.l0_rd;
  assign l0_wsel_o      = instr_i.l0_wsel;
  assign of_rd_o        = instr_i.of_rd;
  assign of_acc_o       = instr_i.of_acc;
  assign of_addr_o      = instr_i.of_addr;
  assign out_rd_o       = instr_i.out_rd;
  assign out_raw_o      = instr_i.out_raw;
  assign out_relu_o     = instr_i.out_relu;
  assign out_addr_o     = instr_i.out_addr;
  assign par_wr_o       = instr_i.par_wr;
  assign par_sel_o      = instr_i.par_sel;
  assign par_col_o      = instr_i.par_col;
  assign ctr_clr_o      = instr_i.ctr_clr;
  assign wmem_wr_o      = instr_i.wmem_wr;
  assign wmem_rd_o      = instr_i.wmem_rd;
  assign wmem_rd_addr_o = instr_i.wmem_rd_addr;
  assign l0_os_o        = instr_i.l0_os;
  assign os_drain_o     = instr_i.os_drain;
  assign l0_simd_o      = instr_i.l0_simd;
  assign instr_bits_o   = 32'(InstrBits);

  assign lat_xmem_wr_to_xmem_rd_o = 8'(LatXmemWrToXmemRd);
  assign lat_xmem_rd_to_l0_rd_o   = 8'(LatXmemRdToL0Rd);
  assign lat_load_to_commit_o     = 8'(LatLoadToCommit);
  assign lat_commit_to_l0_rd_o    = 8'(LatCommitToL0Rd);
  assign lat_of_rd_to_psum_out_o  = 8'(LatOfRdToPsumOut);
  assign lat_of_rd_to_out_rd_o    = 8'(LatOfRdToOutRd);
  assign lat_par_wr_to_out_rd_o   = 8'(LatParWrToOutRd);
  assign lat_out_rd_to_out_o      = 8'(LatOutRdToOut);
  assign lat_wmem_wr_to_wmem_rd_o = 8'(LatWmemWrToWmemRd);
  assign lat_wmem_rd_to_l0_rd_o   = 8'(LatWmemRdToL0Rd);
  assign lat_drain_to_l0_rd_o     = 8'(LatDrainToL0Rd);
  assign lat_drain_to_of_rd_o     = 8'(LatDrainToOfRd);
  assign lat_os_l0rd_to_drain_o   = 16'(lat_os_l0rd_to_drain(ProbeRows, ProbeCols));
  assign lat_ws_l0rd_to_drain_o   = 16'(lat_ws_l0rd_to_drain(ProbeRows, ProbeCols));
  assign lat_drain_to_drain_o     = 16'(lat_drain_to_drain(ProbeRows));
  assign data_bits_o              = 32'(data_bits(ProbeRows, ProbeCols, 8, 8, 0));
  assign lat_l0rd_to_ofrd_o       = 16'(lat_l0rd_to_ofrd(ProbeRows, ProbeCols));
  assign lat_l0rd_to_commit_o     = 16'(lat_l0rd_to_commit(ProbeRows, ProbeCols));

endmodule
