// Accelerator core: registered instruction port, xmem, wmem, corelet, pmem and performance counters.
module core
  import accel_pkg::*;
#(
  parameter int unsigned Rows       = 8,     // array rows: reduction dimension
  parameter int unsigned Cols       = 8,     // array columns: output features
  parameter int unsigned ActBits    = 8,     // unsigned activation width
  parameter int unsigned WeightBits = 8,     // signed weight width
  parameter int unsigned PsumBits   = 32,    // signed accumulator width (wraps)
  parameter int unsigned XmemDepth  = 4096,  // activation SRAM words
  parameter int unsigned PmemDepth  = 4096,  // psum SRAM rows
  parameter int unsigned L0Depth    = 64,    // entries per L0 row FIFO
  parameter int unsigned OfifoDepth = 64,    // entries per OFIFO column FIFO
  parameter int unsigned Simd       = 0,     // 1: the low-precision SIMD mode (docs/isa.md "SIMD mode")
  // 0: the event counters (ids 6..18) stay 0. Not a configuration: make bench builds it once to
  // measure what they cost in simulation speed (CMake ACCEL_EVENT_COUNTERS=OFF); devices check them.
  parameter int unsigned EventCtrs  = 1,
  localparam int unsigned DataBits  = data_bits(Rows, Cols, ActBits, WeightBits, Simd)
) (
  input  logic                             clk_i,         // clock
  input  logic                             rst_ni,        // synchronous reset, active low
  input  instr_t                           instr_i,       // this cycle's instruction (registered)
  input  logic [DataBits-1:0]              data_i,        // vector, weight column, weight row or parameter
  output logic                             psum_valid_o,  // a psum row left the OFIFO
  output logic [Cols-1:0][PsumBits-1:0]    psum_o,        // that row, column c at [c]
  output logic                             out_valid_o,   // an SFP read-out result
  output logic [Cols-1:0][OutLaneBits-1:0] out_o,         // per column: q or acc+bias
  output logic [NumCtrs-1:0][CtrBits-1:0]  ctr_o,         // performance counters, by ctr_e
  output status_t                          status_o,      // L0 / OFIFO fill state
  output params_t                          params_o       // the parameters above (constant)
);

  localparam int unsigned XAddrW  = (XmemDepth > 1) ? $clog2(XmemDepth) : 1;
  localparam int unsigned PAddrW  = (PmemDepth > 1) ? $clog2(PmemDepth) : 1;
  localparam int unsigned XBits   = Rows * ActBits;
  localparam int unsigned WBits   = Rows * WeightBits;
  localparam int unsigned WRowBits = Cols * WeightBits;
  localparam int unsigned RowBits = Cols * PsumBits;

  // ---------------------------------------------------------------------------------------------
  // Instruction and data registers: the instruction executes in the cycle after it is presented.
  // ---------------------------------------------------------------------------------------------
  instr_t              instr_q;
  logic [DataBits-1:0] data_q;
  logic                l0_push_q, n0_push_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      instr_q   <= '0;
      data_q    <= '0;
      l0_push_q <= 1'b0;
      n0_push_q <= 1'b0;
    end else begin
      instr_q   <= instr_i;
      data_q    <= data_i;
      l0_push_q <= instr_q.xmem_rd;  // xmem read data arrives one cycle later
      n0_push_q <= instr_q.wmem_rd;  // so does wmem's
    end
  end

  // ---------------------------------------------------------------------------------------------
  // xmem: host writes, L0 reads, both in the same cycle if needed.
  // ---------------------------------------------------------------------------------------------
  logic [0:0][XBits-1:0] xmem_rdata;

  sram #(
    .Width      (XBits),
    .Depth      (XmemDepth),
    .NumRdPorts (1)
  ) u_xmem (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .we_i    (instr_q.xmem_wr),
    .waddr_i (instr_q.xmem_wr_addr[XAddrW-1:0]),
    .wdata_i (data_q[XBits-1:0]),
    .re_i    (instr_q.xmem_rd),
    .raddr_i (instr_q.xmem_rd_addr[XAddrW-1:0]),
    .rdata_o (xmem_rdata)
  );

  // ---------------------------------------------------------------------------------------------
  // wmem (output-stationary weight rows): host writes at xmem_wr_addr, N0 reads.
  // ---------------------------------------------------------------------------------------------
  logic [0:0][WRowBits-1:0] wmem_rdata;

  sram #(
    .Width      (WRowBits),
    .Depth      (XmemDepth),
    .NumRdPorts (1)
  ) u_wmem (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .we_i    (instr_q.wmem_wr),
    .waddr_i (instr_q.xmem_wr_addr[XAddrW-1:0]),
    .wdata_i (data_q[WRowBits-1:0]),
    .re_i    (instr_q.wmem_rd),
    .raddr_i (instr_q.wmem_rd_addr[XAddrW-1:0]),
    .rdata_o (wmem_rdata)
  );

  // ---------------------------------------------------------------------------------------------
  // corelet and pmem
  // ---------------------------------------------------------------------------------------------
  logic [1:0]              pmem_re;
  logic [1:0][PAddrW-1:0]  pmem_raddr;
  logic [1:0][RowBits-1:0] pmem_rdata;
  logic                    pmem_we;
  logic [PAddrW-1:0]       pmem_waddr;
  logic [RowBits-1:0]      pmem_wdata;
  logic                    os_draining;
  logic [WBits-1:0]        w1;  // the lane-1 weight column: data_i above the lane-0 one (SIMD)

  if (Simd != 0) begin : g_simd_w1
    assign w1 = data_q[2*WBits-1:WBits];  // DataBits >= 2 * WBits (data_bits)
  end else begin : g_no_simd_w1
    assign w1 = '0;
  end

  corelet #(
    .Rows       (Rows),
    .Cols       (Cols),
    .ActBits    (ActBits),
    .WeightBits (WeightBits),
    .PsumBits   (PsumBits),
    .L0Depth    (L0Depth),
    .OfifoDepth (OfifoDepth),
    .PmemDepth  (PmemDepth),
    .Simd       (Simd)
  ) u_corelet (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .l0_push_i    (l0_push_q),
    .l0_data_i    (xmem_rdata[0]),
    .l0_rd_i      (instr_q.l0_rd),
    .l0_wsel_i    (instr_q.l0_wsel),
    .l0_os_i      (instr_q.l0_os),
    .l0_simd_i    (Simd != 0 && instr_q.l0_simd),
    .n0_push_i    (n0_push_q),
    .n0_data_i    (wmem_rdata[0]),
    .os_drain_i   (instr_q.os_drain),
    .os_draining_o(os_draining),
    .w_load_i     (instr_q.w_load),
    .w_i          (data_q[WBits-1:0]),
    .w1_i         (w1),
    .w_commit_i   (instr_q.w_commit),
    .w_buf_i      (instr_q.w_buf),
    .of_rd_i      (instr_q.of_rd),
    .of_acc_i     (instr_q.of_acc),
    .of_addr_i    (instr_q.of_addr[PAddrW-1:0]),
    .out_rd_i     (instr_q.out_rd),
    .out_addr_i   (instr_q.out_addr[PAddrW-1:0]),
    .out_raw_i    (instr_q.out_raw),
    .out_relu_i   (instr_q.out_relu),
    .out_half_i   (instr_q.out_half),
    .par_wr_i     (instr_q.par_wr),
    .par_sel_i    (instr_q.par_sel),
    .par_col_i    (instr_q.par_col),
    .par_data_i   (data_q[ParBits-1:0]),
    .pmem_re_o    (pmem_re),
    .pmem_raddr_o (pmem_raddr),
    .pmem_rdata_i (pmem_rdata),
    .pmem_we_o    (pmem_we),
    .pmem_waddr_o (pmem_waddr),
    .pmem_wdata_o (pmem_wdata),
    .psum_valid_o (psum_valid_o),
    .psum_o       (psum_o),
    .out_valid_o  (out_valid_o),
    .out_o        (out_o),
    .status_o     (status_o)
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

  // ---------------------------------------------------------------------------------------------
  // Performance counters: each cycle is total plus exactly one category, by priority.
  // ---------------------------------------------------------------------------------------------
  logic [NumCtrs-1:0][CtrBits-1:0] ctr_d, ctr_q;
  logic                            is_compute, is_wload, is_host, is_drain;
  logic                            os_pending_d, os_pending_q;  // OS l0_rd since the last os_drain

  assign os_pending_d = instr_q.os_drain ? 1'b0 : (os_pending_q || (instr_q.l0_rd && instr_q.l0_os));

  always_ff @(posedge clk_i) begin
    if (!rst_ni) os_pending_q <= 1'b0;
    else         os_pending_q <= os_pending_d;
  end

  assign is_compute = instr_q.l0_rd;
  assign is_wload   = !is_compute && (instr_q.w_load || instr_q.w_commit || instr_q.wmem_wr);
  assign is_host    = !is_compute && !is_wload && (instr_q.xmem_wr || instr_q.par_wr);
  assign is_drain   = !is_compute && !is_wload && !is_host &&
                      (instr_q.os_drain || os_pending_q || os_draining);

  always_comb begin
    ctr_d = ctr_q;
    ctr_d[CtrTotal]        = ctr_q[CtrTotal] + 1'b1;
    ctr_d[CtrCompute]      = ctr_q[CtrCompute] + CtrBits'(is_compute);
    ctr_d[CtrWeightLoad]   = ctr_q[CtrWeightLoad] + CtrBits'(is_wload);
    ctr_d[CtrHostTransfer] = ctr_q[CtrHostTransfer] + CtrBits'(is_host);
    ctr_d[CtrDrain]        = ctr_q[CtrDrain] + CtrBits'(is_drain);
    ctr_d[CtrStall]        = ctr_q[CtrStall] + CtrBits'(!is_compute && !is_wload && !is_host && !is_drain);
    if (EventCtrs != 0) begin
      ctr_d[CtrMacs]         = ctr_q[CtrMacs] + (!instr_q.l0_rd ? '0 :
                               (Simd != 0 && instr_q.l0_simd) ? CtrBits'(2 * Rows * Cols) :
                                                               CtrBits'(Rows * Cols));
      ctr_d[CtrXmemRead]     = ctr_q[CtrXmemRead] + CtrBits'(instr_q.xmem_rd);
      ctr_d[CtrXmemWrite]    = ctr_q[CtrXmemWrite] + CtrBits'(instr_q.xmem_wr);
      ctr_d[CtrWmemRead]     = ctr_q[CtrWmemRead] + CtrBits'(instr_q.wmem_rd);
      ctr_d[CtrWmemWrite]    = ctr_q[CtrWmemWrite] + CtrBits'(instr_q.wmem_wr);
      ctr_d[CtrPmemRead]     = ctr_q[CtrPmemRead] + CtrBits'(instr_q.of_rd && instr_q.of_acc) +
                               CtrBits'(instr_q.out_rd);
      ctr_d[CtrPmemWrite]    = ctr_q[CtrPmemWrite] + CtrBits'(instr_q.of_rd);
      ctr_d[CtrL0Push]       = ctr_q[CtrL0Push] + CtrBits'(l0_push_q);
      ctr_d[CtrL0Pop]        = ctr_q[CtrL0Pop] + CtrBits'(instr_q.l0_rd);
      ctr_d[CtrOfifoPop]     = ctr_q[CtrOfifoPop] + CtrBits'(instr_q.of_rd);
      ctr_d[CtrWeightShift]  = ctr_q[CtrWeightShift] + CtrBits'(instr_q.w_load);
      ctr_d[CtrWeightCommit] = ctr_q[CtrWeightCommit] + CtrBits'(instr_q.w_commit);
      ctr_d[CtrSfpOut]       = ctr_q[CtrSfpOut] + CtrBits'(instr_q.out_rd);
    end
    if (instr_q.ctr_clr) ctr_d = '0;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) ctr_q <= '0;
    else         ctr_q <= ctr_d;
  end

  assign ctr_o = ctr_q;

  assign params_o = '{rows: 16'(Rows), cols: 16'(Cols), act_bits: 8'(ActBits), weight_bits: 8'(WeightBits),
                      psum_bits: 8'(PsumBits), xmem_depth: XmemDepth, pmem_depth: PmemDepth,
                      l0_depth: 16'(L0Depth), ofifo_depth: 16'(OfifoDepth), simd: 8'(Simd)};

  // -------------------------------------------------------------------------------------------
  // Assertions
  // -------------------------------------------------------------------------------------------
  initial begin : p_params
    assert (Rows >= 1 && Cols >= 1 && Cols <= (1 << ColIdxBits))
      else $error("core: illegal shape Rows=%0d Cols=%0d (Cols <= %0d)",
                  Rows, Cols, 1 << ColIdxBits);
    assert (ActBits >= 1 && ActBits <= 16 && WeightBits >= 2 && WeightBits <= 16 &&
            PsumBits >= ActBits + 1 && PsumBits <= 32)
      else $error("core: illegal widths ActBits=%0d WeightBits=%0d PsumBits=%0d",
                  ActBits, WeightBits, PsumBits);
    assert (XmemDepth >= 1 && XmemDepth <= (1 << AddrBits) &&
            PmemDepth >= 1 && PmemDepth <= (1 << AddrBits))
      else $error("core: memory depths must be 1..%0d (XmemDepth=%0d PmemDepth=%0d)",
                  1 << AddrBits, XmemDepth, PmemDepth);
    assert (L0Depth >= Rows && OfifoDepth >= Cols)
      else $error("core: FIFOs must cover the skew (L0Depth=%0d >= Rows, OfifoDepth=%0d >= Cols)",
                  L0Depth, OfifoDepth);
    assert (Simd <= 1 && (Simd == 0 || ActBits % 2 == 0))
      else $error("core: illegal Simd=%0d (0 or 1; the SIMD mode needs an even ActBits, got %0d)",
                  Simd, ActBits);
  end

  // Weight-buffer hazard tracking (assertion only): wbusy_q[b] counts down the cycles until the
  // last vector popped with buffer b has passed the last tile; a commit to b is legal when it
  // is at most 1 (the package's host-contract latency lat_l0rd_to_commit, docs/isa.md). An OS
  // vector uses no buffer (its weights come from N0), whatever its l0_wsel.
  logic ws_rd;
  assign ws_rd = instr_q.l0_rd && !instr_q.l0_os;

  localparam int unsigned DrainCycles = lat_l0rd_to_commit(Rows, Cols);
  logic [1:0][15:0] wbusy_d, wbusy_q;

  always_comb begin
    for (int unsigned b = 0; b < 2; b++) begin
      wbusy_d[b] = (wbusy_q[b] != '0) ? wbusy_q[b] - 1'b1 : '0;
      if (ws_rd && 32'(instr_q.l0_wsel) == b) wbusy_d[b] = 16'(DrainCycles);
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) wbusy_q <= '0;
    else         wbusy_q <= wbusy_d;
  end

  a_commit_in_flight : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.w_commit |-> wbusy_q[instr_q.w_buf] <= 16'd1 &&
      !(DrainCycles > 0 && ws_rd && instr_q.l0_wsel == instr_q.w_buf))
    else $error("core: w_commit to buffer %0d while vectors using it are in the array (%0d more cycles)",
                instr_q.w_buf, wbusy_q[instr_q.w_buf]);

  a_out_half : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.out_rd && instr_q.out_half |-> Simd != 0)
    else $error("core: out_half on a core built without the SIMD mode");

  a_one_data_user : assert property (@(posedge clk_i) disable iff (!rst_ni)
      $onehot0({instr_q.xmem_wr, instr_q.wmem_wr, instr_q.w_load, instr_q.par_wr}))
    else $error("core: xmem_wr, wmem_wr, w_load and par_wr share data_i: at most one per instruction");

  a_xmem_wr_addr : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.xmem_wr |-> 32'(instr_q.xmem_wr_addr) < XmemDepth)
    else $error("core: xmem_wr_addr %0d beyond XmemDepth %0d", instr_q.xmem_wr_addr, XmemDepth);

  a_xmem_rd_addr : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.xmem_rd |-> 32'(instr_q.xmem_rd_addr) < XmemDepth)
    else $error("core: xmem_rd_addr %0d beyond XmemDepth %0d", instr_q.xmem_rd_addr, XmemDepth);

  a_wmem_wr_addr : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.wmem_wr |-> 32'(instr_q.xmem_wr_addr) < XmemDepth)
    else $error("core: wmem_wr address (xmem_wr_addr) %0d beyond XmemDepth %0d",
                instr_q.xmem_wr_addr, XmemDepth);

  a_wmem_rd_addr : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.wmem_rd |-> 32'(instr_q.wmem_rd_addr) < XmemDepth)
    else $error("core: wmem_rd_addr %0d beyond XmemDepth %0d", instr_q.wmem_rd_addr, XmemDepth);

  a_of_addr : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.of_rd |-> 32'(instr_q.of_addr) < PmemDepth)
    else $error("core: of_addr %0d beyond PmemDepth %0d", instr_q.of_addr, PmemDepth);

  a_out_addr : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.out_rd |-> 32'(instr_q.out_addr) < PmemDepth)
    else $error("core: out_addr %0d beyond PmemDepth %0d", instr_q.out_addr, PmemDepth);

  // Output-stationary rules (docs/isa.md "Output-stationary mode"), assertion only. Each countdown
  // is loaded with its latency by the instruction it follows and counts down; an os_drain is
  // legal when it is at most 1 (as wbusy_q above). N0 checks its own pops and pushes.
  localparam int unsigned OsToDrain = lat_os_l0rd_to_drain(Rows, Cols);
  localparam int unsigned WsToDrain = lat_ws_l0rd_to_drain(Rows, Cols);
  localparam int unsigned DrainToDrain = lat_drain_to_drain(Rows);
  logic [15:0] os_busy_d, os_busy_q, ws_busy_d, ws_busy_q, drain_busy_d, drain_busy_q;

  always_comb begin
    os_busy_d    = (os_busy_q != '0) ? os_busy_q - 1'b1 : '0;
    ws_busy_d    = (ws_busy_q != '0) ? ws_busy_q - 1'b1 : '0;
    drain_busy_d = (drain_busy_q != '0) ? drain_busy_q - 1'b1 : '0;
    if (instr_q.l0_rd && instr_q.l0_os)  os_busy_d    = 16'(OsToDrain);
    if (ws_rd)                           ws_busy_d    = 16'(WsToDrain);
    if (instr_q.os_drain)                drain_busy_d = 16'(DrainToDrain);
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      os_busy_q    <= '0;
      ws_busy_q    <= '0;
      drain_busy_q <= '0;
    end else begin
      os_busy_q    <= os_busy_d;
      ws_busy_q    <= ws_busy_d;
      drain_busy_q <= drain_busy_d;
    end
  end

  // SIMD rules (docs/isa.md "SIMD mode"): a weight-stationary vector on a core built with Simd.
  a_simd_built : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.l0_simd |-> Simd != 0)
    else $error("core: l0_simd on a core built without the SIMD mode");

  a_simd_not_os : assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(instr_q.l0_simd && instr_q.l0_os))
    else $error("core: l0_simd with l0_os (the SIMD mode is weight-stationary only)");

  a_os_without_rd : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.l0_os |-> instr_q.l0_rd)
    else $error("core: l0_os without l0_rd");

  a_drain_with_rd : assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(instr_q.os_drain && instr_q.l0_rd))
    else $error("core: os_drain in the same slot as an l0_rd");

  a_drain_after_os : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.os_drain |-> os_busy_q <= 16'd1)
    else $error("core: os_drain %0d slot(s) too early after an OS l0_rd (lat_os_l0rd_to_drain = %0d)",
                os_busy_q - 16'd1, OsToDrain);

  a_drain_after_ws : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.os_drain |-> ws_busy_q <= 16'd1)
    else $error("core: os_drain %0d slot(s) too early after a WS l0_rd (lat_ws_l0rd_to_drain = %0d)",
                ws_busy_q - 16'd1, WsToDrain);

  a_drain_after_drain : assert property (@(posedge clk_i) disable iff (!rst_ni)
      instr_q.os_drain |-> drain_busy_q <= 16'd1)
    else $error("core: os_drain %0d slot(s) too early after the previous os_drain (lat_drain_to_drain = %0d)",
                drain_busy_q - 16'd1, DrainToDrain);

endmodule
