// Test top: one mac_tile, mac_array, l0, ofifo, sfp (with its pmem) and fifo_sync, each driven
// separately. The SIMD ports (tile_act_simd_*, tile_w1_*, arr_act_simd_i, arr_w1_i, l0_rd_simd_i,
// l0_act_simd_o) exist in every build; without Simd the units ignore them and drive 0.
module unit_top
  import accel_pkg::*;
#(
  parameter int unsigned Rows       = 8,     // array rows
  parameter int unsigned Cols       = 8,     // array columns
  parameter int unsigned ActBits    = 8,     // activation width
  parameter int unsigned WeightBits = 8,     // weight width
  parameter int unsigned PsumBits   = 32,    // psum width
  parameter int unsigned PmemDepth  = 4096,  // pmem rows behind the sfp
  parameter int unsigned L0Depth    = 64,    // L0 row FIFO depth
  parameter int unsigned OfifoDepth = 64,    // OFIFO column FIFO depth
  parameter int unsigned Simd       = 0,     // the SIMD mode (docs/isa.md "SIMD mode")
  localparam int unsigned PAddrW    = (PmemDepth > 1) ? $clog2(PmemDepth) : 1,
  localparam int unsigned RowBits   = Cols * PsumBits,
  localparam int unsigned FifoWidth = 16,
  localparam int unsigned FifoDepth = 5
) (
  input  logic                             clk_i,              // clock
  input  logic                             rst_ni,             // synchronous reset, active low
  // mac_tile
  input  logic                             tile_act_valid_i,   // u_tile.act_valid_i
  input  logic                             tile_act_sel_i,     // u_tile.act_sel_i
  input  logic                             tile_act_simd_i,    // u_tile.act_simd_i
  input  logic [ActBits-1:0]               tile_act_i,         // u_tile.act_i
  output logic                             tile_act_valid_o,   // u_tile.act_valid_o
  output logic                             tile_act_sel_o,     // u_tile.act_sel_o
  output logic                             tile_act_simd_o,    // u_tile.act_simd_o
  output logic [ActBits-1:0]               tile_act_o,         // u_tile.act_o
  input  logic [PsumBits-1:0]              tile_psum_i,        // u_tile.psum_i
  output logic [PsumBits-1:0]              tile_psum_o,        // u_tile.psum_o
  input  logic                             tile_wv_i,          // u_tile.wv_i
  output logic                             tile_wv_o,          // u_tile.wv_o
  input  logic                             tile_os_drain_i,    // u_tile.os_drain_i
  input  logic                             tile_w_load_i,      // u_tile.w_load_i
  input  logic [WeightBits-1:0]            tile_w_i,           // u_tile.w_i
  output logic [WeightBits-1:0]            tile_w_o,           // u_tile.w_o
  input  logic [WeightBits-1:0]            tile_w1_i,          // u_tile.w1_i
  output logic [WeightBits-1:0]            tile_w1_o,          // u_tile.w1_o
  input  logic                             tile_w_commit_i,    // u_tile.w_commit_i
  input  logic                             tile_w_buf_i,       // u_tile.w_buf_i
  // mac_array
  input  logic [Rows-1:0]                  arr_act_valid_i,    // u_array.act_valid_i
  input  logic [Rows-1:0]                  arr_act_sel_i,      // u_array.act_sel_i
  input  logic [Rows-1:0]                  arr_act_simd_i,     // u_array.act_simd_i
  input  logic [Rows-1:0][ActBits-1:0]     arr_act_i,          // u_array.act_i
  input  logic                             arr_w_load_i,       // u_array.w_load_i
  input  logic [Rows-1:0][WeightBits-1:0]  arr_w_i,            // u_array.w_i
  input  logic [Rows-1:0][WeightBits-1:0]  arr_w1_i,           // u_array.w1_i
  input  logic                             arr_w_commit_i,     // u_array.w_commit_i
  input  logic                             arr_w_buf_i,        // u_array.w_buf_i
  input  logic [Cols-1:0]                  arr_os_w_valid_i,   // u_array.os_w_valid_i
  input  logic [Cols-1:0][WeightBits-1:0]  arr_os_w_i,         // u_array.os_w_i
  input  logic                             arr_os_drain_i,     // u_array.os_drain_i
  output logic                             arr_draining_o,     // u_array.draining_o
  output logic [Cols-1:0]                  arr_psum_valid_o,   // u_array.psum_valid_o
  output logic [Cols-1:0][PsumBits-1:0]    arr_psum_o,         // u_array.psum_o
  // l0
  input  logic                             l0_push_i,          // u_l0.push_i
  input  logic [Rows-1:0][ActBits-1:0]     l0_data_i,          // u_l0.data_i
  input  logic                             l0_rd_i,            // u_l0.rd_i
  input  logic                             l0_rd_sel_i,        // u_l0.rd_sel_i
  input  logic                             l0_rd_simd_i,       // u_l0.rd_simd_i
  output logic [Rows-1:0]                  l0_act_valid_o,     // u_l0.act_valid_o
  output logic [Rows-1:0]                  l0_act_sel_o,       // u_l0.act_sel_o
  output logic [Rows-1:0]                  l0_act_simd_o,      // u_l0.act_simd_o
  output logic [Rows-1:0][ActBits-1:0]     l0_act_o,           // u_l0.act_o
  output logic                             l0_empty_o,         // u_l0.empty_o
  output logic                             l0_idle_o,          // u_l0.idle_o
  output logic                             l0_full_o,          // u_l0.full_o
  // ofifo
  input  logic [Cols-1:0]                  of_push_i,          // u_ofifo.push_i
  input  logic [Cols-1:0][PsumBits-1:0]    of_data_i,          // u_ofifo.data_i
  input  logic                             of_pop_i,           // u_ofifo.pop_i
  output logic                             of_valid_o,         // u_ofifo.valid_o
  output logic [Cols-1:0][PsumBits-1:0]    of_data_o,          // u_ofifo.data_o
  output logic                             of_full_o,          // u_ofifo.full_o
  // sfp (+ pmem)
  input  logic                             sfp_upd_valid_i,    // u_sfp.upd_valid_i
  input  logic                             sfp_upd_acc_i,      // u_sfp.upd_acc_i
  input  logic [PAddrW-1:0]                sfp_upd_addr_i,     // u_sfp.upd_addr_i
  input  logic [Cols-1:0][PsumBits-1:0]    sfp_upd_psum_i,     // u_sfp.upd_psum_i
  input  logic                             sfp_rd_valid_i,     // u_sfp.rd_valid_i
  input  logic [PAddrW-1:0]                sfp_rd_addr_i,      // u_sfp.rd_addr_i
  input  logic                             sfp_rd_raw_i,       // u_sfp.rd_raw_i
  input  logic                             sfp_rd_relu_i,      // u_sfp.rd_relu_i
  input  logic                             sfp_rd_half_i,      // u_sfp.rd_half_i
  input  logic                             sfp_par_wr_i,       // u_sfp.par_wr_i
  input  logic [1:0]                       sfp_par_sel_i,      // u_sfp.par_sel_i
  input  logic [ColIdxBits-1:0]            sfp_par_col_i,      // u_sfp.par_col_i
  input  logic [ParBits-1:0]               sfp_par_data_i,     // u_sfp.par_data_i
  output logic                             sfp_psum_valid_o,   // u_sfp.psum_valid_o
  output logic [Cols-1:0][PsumBits-1:0]    sfp_psum_o,         // u_sfp.psum_o
  output logic                             sfp_out_valid_o,    // u_sfp.out_valid_o
  output logic [Cols-1:0][OutLaneBits-1:0] sfp_out_o,          // u_sfp.out_o
  // fifo_sync alone, FifoWidth x FifoDepth: a depth that is no power of two wraps its pointers
  input  logic                             fifo_push_i,        // u_fifo.push_i
  input  logic [FifoWidth-1:0]             fifo_data_i,        // u_fifo.data_i
  input  logic                             fifo_pop_i,         // u_fifo.pop_i
  output logic [FifoWidth-1:0]             fifo_data_o,        // u_fifo.data_o
  output logic                             fifo_empty_o,       // u_fifo.empty_o
  output logic                             fifo_full_o         // u_fifo.full_o
);

  mac_tile #(
    .ActBits    (ActBits),
    .WeightBits (WeightBits),
    .PsumBits   (PsumBits),
    .Simd       (Simd)
  ) u_tile (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .act_valid_i (tile_act_valid_i),
    .act_sel_i   (tile_act_sel_i),
    .act_simd_i  (tile_act_simd_i),
    .act_i       (tile_act_i),
    .act_valid_o (tile_act_valid_o),
    .act_sel_o   (tile_act_sel_o),
    .act_simd_o  (tile_act_simd_o),
    .act_o       (tile_act_o),
    .psum_i      (tile_psum_i),
    .psum_o      (tile_psum_o),
    .wv_i        (tile_wv_i),
    .wv_o        (tile_wv_o),
    .os_drain_i  (tile_os_drain_i),
    .w_load_i    (tile_w_load_i),
    .w_i         (tile_w_i),
    .w_o         (tile_w_o),
    .w1_i        (tile_w1_i),
    .w1_o        (tile_w1_o),
    .w_commit_i  (tile_w_commit_i),
    .w_buf_i     (tile_w_buf_i)
  );

  mac_array #(
    .Rows       (Rows),
    .Cols       (Cols),
    .ActBits    (ActBits),
    .WeightBits (WeightBits),
    .PsumBits   (PsumBits),
    .Simd       (Simd)
  ) u_array (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .act_valid_i  (arr_act_valid_i),
    .act_sel_i    (arr_act_sel_i),
    .act_simd_i   (arr_act_simd_i),
    .act_i        (arr_act_i),
    .w_load_i     (arr_w_load_i),
    .w_i          (arr_w_i),
    .w1_i         (arr_w1_i),
    .w_commit_i   (arr_w_commit_i),
    .w_buf_i      (arr_w_buf_i),
    .os_w_valid_i (arr_os_w_valid_i),
    .os_w_i       (arr_os_w_i),
    .os_drain_i   (arr_os_drain_i),
    .draining_o   (arr_draining_o),
    .psum_valid_o (arr_psum_valid_o),
    .psum_o       (arr_psum_o)
  );

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
    .rd_sel_i    (l0_rd_sel_i),
    .rd_simd_i   (l0_rd_simd_i),
    .act_valid_o (l0_act_valid_o),
    .act_sel_o   (l0_act_sel_o),
    .act_simd_o  (l0_act_simd_o),
    .act_o       (l0_act_o),
    .empty_o     (l0_empty_o),
    .idle_o      (l0_idle_o),
    .full_o      (l0_full_o)
  );

  ofifo #(
    .Cols     (Cols),
    .PsumBits (PsumBits),
    .Depth    (OfifoDepth)
  ) u_ofifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .push_i  (of_push_i),
    .data_i  (of_data_i),
    .pop_i   (of_pop_i),
    .valid_o (of_valid_o),
    .data_o  (of_data_o),
    .full_o  (of_full_o)
  );

  logic [1:0]              pmem_re;
  logic [1:0][PAddrW-1:0]  pmem_raddr;
  logic [1:0][RowBits-1:0] pmem_rdata;
  logic                    pmem_we;
  logic [PAddrW-1:0]       pmem_waddr;
  logic [RowBits-1:0]      pmem_wdata;

  sfp #(
    .Cols      (Cols),
    .ActBits   (ActBits),
    .PsumBits  (PsumBits),
    .PmemDepth (PmemDepth)
  ) u_sfp (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .upd_valid_i  (sfp_upd_valid_i),
    .upd_acc_i    (sfp_upd_acc_i),
    .upd_addr_i   (sfp_upd_addr_i),
    .upd_psum_i   (sfp_upd_psum_i),
    .rd_valid_i   (sfp_rd_valid_i),
    .rd_addr_i    (sfp_rd_addr_i),
    .rd_raw_i     (sfp_rd_raw_i),
    .rd_relu_i    (sfp_rd_relu_i),
    .rd_half_i    (sfp_rd_half_i),
    .par_wr_i     (sfp_par_wr_i),
    .par_sel_i    (sfp_par_e'(sfp_par_sel_i)),
    .par_col_i    (sfp_par_col_i),
    .par_data_i   (sfp_par_data_i),
    .pmem_re_o    (pmem_re),
    .pmem_raddr_o (pmem_raddr),
    .pmem_rdata_i (pmem_rdata),
    .pmem_we_o    (pmem_we),
    .pmem_waddr_o (pmem_waddr),
    .pmem_wdata_o (pmem_wdata),
    .psum_valid_o (sfp_psum_valid_o),
    .psum_o       (sfp_psum_o),
    .out_valid_o  (sfp_out_valid_o),
    .out_o        (sfp_out_o)
  );

  sram #(
    .Width      (RowBits),
    .Depth      (PmemDepth),
    .NumRdPorts (2)
  ) u_pmem (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .we_i    (pmem_we),
    .waddr_i (pmem_waddr),
    .wdata_i (pmem_wdata),
    .re_i    (pmem_re),
    .raddr_i (pmem_raddr),
    .rdata_o (pmem_rdata)
  );

  fifo_sync #(
    .Width (FifoWidth),
    .Depth (FifoDepth)
  ) u_fifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .push_i  (fifo_push_i),
    .data_i  (fifo_data_i),
    .pop_i   (fifo_pop_i),
    .data_o  (fifo_data_o),
    .empty_o (fifo_empty_o),
    .full_o  (fifo_full_o)
  );

endmodule
