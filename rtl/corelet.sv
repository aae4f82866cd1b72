// Compute path of the core: L0, N0, MAC array, OFIFO and SFP (xmem, wmem and pmem sit in core).
module corelet
  import accel_pkg::*;
#(
  parameter int unsigned Rows       = 8,     // array rows
  parameter int unsigned Cols       = 8,     // array columns
  parameter int unsigned ActBits    = 8,     // activation width
  parameter int unsigned WeightBits = 8,     // weight width
  parameter int unsigned PsumBits   = 32,    // psum width
  parameter int unsigned L0Depth    = 64,    // entries per L0 row FIFO
  parameter int unsigned OfifoDepth = 64,    // entries per OFIFO column FIFO
  parameter int unsigned PmemDepth  = 4096,  // pmem rows
  parameter int unsigned Simd       = 0,     // 1: the SIMD mode (docs/isa.md "SIMD mode")
  localparam int unsigned PAddrW    = (PmemDepth > 1) ? $clog2(PmemDepth) : 1,
  localparam int unsigned RowBits   = Cols * PsumBits
) (
  input  logic                             clk_i,         // clock
  input  logic                             rst_ni,        // synchronous reset, active low
  // L0 fill (from xmem) and read
  input  logic                             l0_push_i,     // push one vector into L0
  input  logic [Rows-1:0][ActBits-1:0]     l0_data_i,     // the vector
  input  logic                             l0_rd_i,       // pop one vector into the array
  input  logic                             l0_wsel_i,     // its weight buffer
  input  logic                             l0_os_i,       // it computes output-stationary: pop N0 too
  input  logic                             l0_simd_i,     // it is SIMD: two half-width activations per row
  // N0 fill (from wmem) and output-stationary drain
  input  logic                             n0_push_i,     // push one weight row into N0
  input  logic [Cols-1:0][WeightBits-1:0]  n0_data_i,     // the row
  input  logic                             os_drain_i,    // every accumulator south, cleared
  output logic                             os_draining_o, // a drain's rows are leaving the array
  // Weights
  input  logic                             w_load_i,      // shift a weight column in
  input  logic [Rows-1:0][WeightBits-1:0]  w_i,           // the column
  input  logic [Rows-1:0][WeightBits-1:0]  w1_i,          // the lane-1 column (Simd only)
  input  logic                             w_commit_i,    // chain -> buffer w_buf_i
  input  logic                             w_buf_i,       // buffer to commit
  // OFIFO -> SFP
  input  logic                             of_rd_i,       // pop a psum row into the SFP
  input  logic                             of_acc_i,      // accumulate (1) or overwrite (0)
  input  logic [PAddrW-1:0]                of_addr_i,     // pmem row
  // SFP read-out and parameters
  input  logic                             out_rd_i,      // read out a pmem row
  input  logic [PAddrW-1:0]                out_addr_i,    // pmem row
  input  logic                             out_raw_i,     // raw acc+bias
  input  logic                             out_relu_i,    // ReLU
  input  logic                             out_half_i,    // requantize to ActBits/2 bits (SIMD mode)
  input  logic                             par_wr_i,      // write an SFP parameter
  input  sfp_par_e                         par_sel_i,     // which
  input  logic [ColIdxBits-1:0]            par_col_i,     // column
  input  logic [ParBits-1:0]               par_data_i,    // value
  // pmem
  output logic [1:0]                       pmem_re_o,     // read enables (0 update, 1 read-out)
  output logic [1:0][PAddrW-1:0]           pmem_raddr_o,  // read addresses
  input  logic [1:0][RowBits-1:0]          pmem_rdata_i,  // read data
  output logic                             pmem_we_o,     // write enable
  output logic [PAddrW-1:0]                pmem_waddr_o,  // write address
  output logic [RowBits-1:0]               pmem_wdata_o,  // write data
  // Results
  output logic                             psum_valid_o,  // a psum row left the OFIFO
  output logic [Cols-1:0][PsumBits-1:0]    psum_o,        // that row
  output logic                             out_valid_o,   // a read-out result
  output logic [Cols-1:0][OutLaneBits-1:0] out_o,         // per column result
  output status_t                          status_o       // L0 / OFIFO fill state
);

  logic [Rows-1:0]                 act_valid, act_sel, act_simd;
  logic [Rows-1:0][ActBits-1:0]    act;
  logic [Cols-1:0]                 col_valid, os_w_valid;
  logic [Cols-1:0][WeightBits-1:0] os_w;
  // N0 has no buffer selects and its flags are not in status_o (its own assertions check it).
  logic [Cols-1:0]                 n0_sel_unused, n0_simd_unused;
  logic                            n0_empty_unused, n0_idle_unused, n0_full_unused;
  logic [Cols-1:0][PsumBits-1:0]   col_psum, of_row;
  logic                            of_valid;

  l0 #(
    .Rows    (Rows),
    .ActBits (ActBits),
    .Depth   (L0Depth),
    .Simd    (Simd)
  ) u_l0 (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .push_i      (l0_push_i),
    .data_i      (l0_data_i),
    .rd_i        (l0_rd_i),
    .rd_sel_i    (l0_wsel_i),
    .rd_simd_i   (l0_simd_i),
    .act_valid_o (act_valid),
    .act_sel_o   (act_sel),
    .act_simd_o  (act_simd),
    .act_o       (act),
    .empty_o     (status_o.l0_empty),
    .idle_o      (status_o.l0_idle),
    .full_o      (status_o.l0_full)
  );

  // N0: the mirror of L0 for the weight rows of output-stationary mode; column c pops c cycles
  // after column 0, so weight and activation meet in tile (r, c).
  l0 #(
    .Rows    (Cols),
    .ActBits (WeightBits),
    .Depth   (L0Depth),
    .Name    ("n0")
  ) u_n0 (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .push_i      (n0_push_i),
    .data_i      (n0_data_i),
    .rd_i        (l0_rd_i && l0_os_i),
    .rd_sel_i    (1'b0),
    .rd_simd_i   (1'b0),
    .act_valid_o (os_w_valid),
    .act_sel_o   (n0_sel_unused),
    .act_simd_o  (n0_simd_unused),
    .act_o       (os_w),
    .empty_o     (n0_empty_unused),
    .idle_o      (n0_idle_unused),
    .full_o      (n0_full_unused)
  );

  mac_array #(
    .Rows       (Rows),
    .Cols       (Cols),
    .ActBits    (ActBits),
    .WeightBits (WeightBits),
    .PsumBits   (PsumBits),
    .Simd       (Simd)
  ) u_mac_array (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .act_valid_i  (act_valid),
    .act_sel_i    (act_sel),
    .act_simd_i   (act_simd),
    .act_i        (act),
    .w_load_i     (w_load_i),
    .w_i          (w_i),
    .w1_i         (w1_i),
    .w_commit_i   (w_commit_i),
    .w_buf_i      (w_buf_i),
    .os_w_valid_i (os_w_valid),
    .os_w_i       (os_w),
    .os_drain_i   (os_drain_i),
    .draining_o   (os_draining_o),
    .psum_valid_o (col_valid),
    .psum_o       (col_psum)
  );

  ofifo #(
    .Cols     (Cols),
    .PsumBits (PsumBits),
    .Depth    (OfifoDepth)
  ) u_ofifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .push_i  (col_valid),
    .data_i  (col_psum),
    .pop_i   (of_rd_i),
    .valid_o (of_valid),
    .data_o  (of_row),
    .full_o  (status_o.of_full)
  );

  assign status_o.of_valid = of_valid;

  sfp #(
    .Cols      (Cols),
    .ActBits   (ActBits),
    .PsumBits  (PsumBits),
    .PmemDepth (PmemDepth)
  ) u_sfp (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .upd_valid_i  (of_rd_i && of_valid),
    .upd_acc_i    (of_acc_i),
    .upd_addr_i   (of_addr_i),
    .upd_psum_i   (of_row),
    .rd_valid_i   (out_rd_i),
    .rd_addr_i    (out_addr_i),
    .rd_raw_i     (out_raw_i),
    .rd_relu_i    (out_relu_i),
    .rd_half_i    (out_half_i),
    .par_wr_i     (par_wr_i),
    .par_sel_i    (par_sel_i),
    .par_col_i    (par_col_i),
    .par_data_i   (par_data_i),
    .pmem_re_o    (pmem_re_o),
    .pmem_raddr_o (pmem_raddr_o),
    .pmem_rdata_i (pmem_rdata_i),
    .pmem_we_o    (pmem_we_o),
    .pmem_waddr_o (pmem_waddr_o),
    .pmem_wdata_o (pmem_wdata_o),
    .psum_valid_o (psum_valid_o),
    .psum_o       (psum_o),
    .out_valid_o  (out_valid_o),
    .out_o        (out_o)
  );

  // -------------------------------------------------------------------------------------------
  // Assertions (the FIFOs, the array and the SFP check their own rules)
  // -------------------------------------------------------------------------------------------
  initial begin : p_params
    assert (Rows >= 1 && Cols >= 1 && L0Depth >= 1 && OfifoDepth >= 1 && PmemDepth >= 1)
      else $error("corelet: illegal parameters Rows=%0d Cols=%0d L0Depth=%0d OfifoDepth=%0d",
                  Rows, Cols, L0Depth, OfifoDepth);
  end

endmodule
