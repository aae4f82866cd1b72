// Special-function processor: accumulates psum rows into pmem and reads rows out through bias, ReLU, requantization.
module sfp
  import accel_pkg::*;
#(
  parameter int unsigned Cols      = 8,     // lanes
  parameter int unsigned ActBits   = 8,     // requantized output width
  parameter int unsigned PsumBits  = 32,    // accumulator width (wraps)
  parameter int unsigned PmemDepth = 4096,  // pmem rows
  localparam int unsigned PAddrW   = (PmemDepth > 1) ? $clog2(PmemDepth) : 1,
  localparam int unsigned RowBits  = Cols * PsumBits
) (
  input  logic                             clk_i,           // clock
  input  logic                             rst_ni,          // synchronous reset, active low
  // Update: a psum row popped from the OFIFO
  input  logic                             upd_valid_i,     // a row arrives (of_rd)
  input  logic                             upd_acc_i,       // 1: add onto pmem, 0: overwrite
  input  logic [PAddrW-1:0]                upd_addr_i,      // pmem row to update
  input  logic [Cols-1:0][PsumBits-1:0]    upd_psum_i,      // the psum row
  // Read-out
  input  logic                             rd_valid_i,      // read out a pmem row (out_rd)
  input  logic [PAddrW-1:0]                rd_addr_i,       // pmem row
  input  logic                             rd_raw_i,        // 1: acc+bias, 0: requantized
  input  logic                             rd_relu_i,       // ReLU after the bias
  input  logic                             rd_half_i,       // requantize to ActBits/2 bits (SIMD mode)
  // Per-column parameters
  input  logic                             par_wr_i,        // write a parameter
  input  sfp_par_e                         par_sel_i,       // which one
  input  logic [ColIdxBits-1:0]            par_col_i,       // of which column
  input  logic [ParBits-1:0]               par_data_i,      // value
  // pmem: read port 0 = update, read port 1 = read-out, one write port
  output logic [1:0]                       pmem_re_o,       // read enables
  output logic [1:0][PAddrW-1:0]           pmem_raddr_o,    // read addresses
  input  logic [1:0][RowBits-1:0]          pmem_rdata_i,    // read data, the cycle after
  output logic                             pmem_we_o,       // write enable
  output logic [PAddrW-1:0]                pmem_waddr_o,    // write address
  output logic [RowBits-1:0]               pmem_wdata_o,    // write data
  // Results
  output logic                             psum_valid_o,    // the row popped last cycle
  output logic [Cols-1:0][PsumBits-1:0]    psum_o,          // its psums
  output logic                             out_valid_o,     // a read-out result
  output logic [Cols-1:0][OutLaneBits-1:0] out_o            // per column: q or acc+bias
);

  // y = acc + bias needs PsumBits + 1 <= 33 bits; the product with M (< 2^31) and the
  // rounding constant stay below 2^64 in magnitude, kept exact in ProdBits.
  localparam int unsigned YBits    = 34;
  localparam int unsigned ProdBits = YBits + ParBits + 2;
  localparam int unsigned QMax     = (1 << ActBits) - 1;
  localparam int unsigned QHalf    = (1 << (ActBits / 2)) - 1;  // SIMD mode's activations
  localparam int unsigned ColW     = (Cols > 1) ? $clog2(Cols) : 1;

  // ---------------------------------------------------------------------------------------------
  // Stage 1 (the of_rd / out_rd cycle): issue the pmem reads, register the request.
  // ---------------------------------------------------------------------------------------------
  logic                          upd_valid_q, upd_acc_q, rd_valid_q, rd_raw_q, rd_relu_q, rd_half_q;
  logic [PAddrW-1:0]             upd_addr_q, rd_addr_q;
  logic [Cols-1:0][PsumBits-1:0] upd_psum_q;

  assign pmem_re_o       = {rd_valid_i, upd_valid_i && upd_acc_i};
  assign pmem_raddr_o[0] = upd_addr_i;
  assign pmem_raddr_o[1] = rd_addr_i;

  // ---------------------------------------------------------------------------------------------
  // Stage 2: read data arrives. fwd_* is the pmem write of the previous cycle, which a read in
  // that same cycle could not see yet (read-first SRAM); older writes are in pmem.
  // ---------------------------------------------------------------------------------------------
  logic                          fwd_valid_q;
  logic [PAddrW-1:0]             fwd_addr_q;
  logic [Cols-1:0][PsumBits-1:0] fwd_data_q;
  logic [Cols-1:0][PsumBits-1:0] upd_base, upd_sum, rd_acc;

  always_comb begin
    upd_base = pmem_rdata_i[0];
    if (fwd_valid_q && fwd_addr_q == upd_addr_q) upd_base = fwd_data_q;
    if (!upd_acc_q) upd_base = '0;
    rd_acc = pmem_rdata_i[1];
    if (fwd_valid_q && fwd_addr_q == rd_addr_q) rd_acc = fwd_data_q;
  end

  for (genvar c = 0; c < Cols; c++) begin : g_upd
    // Wraps modulo 2^PsumBits, as the contract's accumulator does.
    assign upd_sum[c] = upd_base[c] + upd_psum_q[c];
  end

  assign pmem_we_o    = upd_valid_q;
  assign pmem_waddr_o = upd_addr_q;
  assign pmem_wdata_o = upd_sum;

  // Per-column parameters and the read-out arithmetic (docs/quantization.md (2), (3)).
  logic [Cols-1:0][ParBits-1:0]     bias_d, bias_q, mult_d, mult_q;
  logic [Cols-1:0][ShiftBits-1:0]   shift_d, shift_q;
  logic [Cols-1:0][ActBits-1:0]     zero_d, zero_q;
  logic [Cols-1:0][OutLaneBits-1:0] out_d, out_q;
  logic                             out_valid_q;

  always_comb begin
    bias_d  = bias_q;
    mult_d  = mult_q;
    shift_d = shift_q;
    zero_d  = zero_q;
    if (par_wr_i && 32'(par_col_i) < Cols) begin
      unique case (par_sel_i)
        ParBias:  bias_d[par_col_i[ColW-1:0]]  = par_data_i;
        ParMult:  mult_d[par_col_i[ColW-1:0]]  = par_data_i;
        ParShift: shift_d[par_col_i[ColW-1:0]] = par_data_i[ShiftBits-1:0];
        ParZero:  zero_d[par_col_i[ColW-1:0]]  = par_data_i[ActBits-1:0];
        default:  ;
      endcase
    end
  end

  for (genvar c = 0; c < Cols; c++) begin : g_out
    logic signed [YBits-1:0]    y;
    logic signed [ProdBits-1:0] prod, rnd, scaled, qmax;

    // Evaluated only for a read-out: the wide arithmetic costs simulation time every cycle.
    always_comb begin
      y        = '0;
      prod     = '0;
      rnd      = '0;
      scaled   = '0;
      qmax     = rd_half_q ? ProdBits'(QHalf) : ProdBits'(QMax);
      out_d[c] = out_q[c];
      if (rd_valid_q) begin
        // Exact: sign-extended accumulator plus int32 bias.
        y = YBits'($signed(rd_acc[c])) + YBits'($signed(bias_q[c]));
        if (rd_relu_q && y < 0) y = '0;
        // y * M + R, then an arithmetic (floor) shift; R = 2^(S-1) rounds halves up; then the
        // output zero point, before the clamp (docs/quantization.md (3)).
        prod   = ProdBits'(y) * $signed({2'b0, mult_q[c]});
        rnd    = (shift_q[c] == '0) ? '0 : ProdBits'(1) <<< (shift_q[c] - 1'b1);
        scaled = ((prod + rnd) >>> shift_q[c]) + ProdBits'($signed({1'b0, zero_q[c]}));
        if (rd_raw_q) begin
          out_d[c] = OutLaneBits'(y);
        end else if (scaled < 0) begin
          out_d[c] = '0;
        end else if (scaled > qmax) begin
          out_d[c] = OutLaneBits'(qmax);
        end else begin
          out_d[c] = OutLaneBits'(scaled[ActBits-1:0]);
        end
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------------
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      upd_valid_q <= 1'b0;
      upd_acc_q   <= 1'b0;
      upd_addr_q  <= '0;
      upd_psum_q  <= '0;
      rd_valid_q  <= 1'b0;
      rd_raw_q    <= 1'b0;
      rd_relu_q   <= 1'b0;
      rd_half_q   <= 1'b0;
      rd_addr_q   <= '0;
      fwd_valid_q <= 1'b0;
      fwd_addr_q  <= '0;
      fwd_data_q  <= '0;
      bias_q      <= '0;
      mult_q      <= '0;
      shift_q     <= '0;
      zero_q      <= '0;
      out_valid_q <= 1'b0;
      out_q       <= '0;
    end else begin
      upd_valid_q <= upd_valid_i;
      upd_acc_q   <= upd_acc_i;
      upd_addr_q  <= upd_addr_i;
      upd_psum_q  <= upd_valid_i ? upd_psum_i : upd_psum_q;
      rd_valid_q  <= rd_valid_i;
      rd_raw_q    <= rd_raw_i;
      rd_relu_q   <= rd_relu_i;
      rd_half_q   <= rd_half_i;
      rd_addr_q   <= rd_addr_i;
      fwd_valid_q <= pmem_we_o;
      fwd_addr_q  <= pmem_waddr_o;
      fwd_data_q  <= pmem_wdata_o;
      bias_q      <= bias_d;
      mult_q      <= mult_d;
      shift_q     <= shift_d;
      zero_q      <= zero_d;
      out_valid_q <= rd_valid_q;
      out_q       <= out_d;
    end
  end

  assign psum_valid_o = upd_valid_q;
  assign psum_o       = upd_psum_q;
  assign out_valid_o  = out_valid_q;
  assign out_o        = out_q;

  // -------------------------------------------------------------------------------------------
  // Assertions
  // -------------------------------------------------------------------------------------------
  initial begin : p_params
    assert (Cols >= 1 && Cols <= (1 << ColIdxBits) && PsumBits >= 2 && PsumBits <= 32 &&
            ActBits >= 1 && ActBits <= 16)
      else $error("sfp: illegal parameters Cols=%0d ActBits=%0d PsumBits=%0d",
                  Cols, ActBits, PsumBits);
  end

  a_par_col : assert property (@(posedge clk_i) disable iff (!rst_ni)
      par_wr_i |-> 32'(par_col_i) < Cols)
    else $error("sfp: par_wr to column %0d, only %0d columns", par_col_i, Cols);

endmodule
