// Shared types, instruction word, counter ids and host-visible latencies of the accelerator core.
//
// Everything here is mirrored in sw/include/accel/isa.hpp and specified in docs/isa.md; a
// change to one must be made to all three (tests/test_isa_probe.cpp checks the bit layout).
package accel_pkg;

  // ---------------------------------------------------------------------------------------------
  // Fixed field widths (independent of the array configuration, so one instruction word fits all)
  // ---------------------------------------------------------------------------------------------
  localparam int unsigned AddrBits    = 16;  // xmem / pmem address fields
  localparam int unsigned ColIdxBits  = 8;   // SFP parameter column index
  localparam int unsigned ParBits     = 32;  // SFP parameter word (bias, multiplier, shift)
  localparam int unsigned ShiftBits   = 6;   // SFP shift, 0..63 (the contract uses 0..62)
  localparam int unsigned CtrBits     = 64;  // performance counters
  localparam int unsigned OutLaneBits = 64;  // one SFP read-out lane (signed in raw mode)

  // SFP per-column parameter selected by instr_t.par_sel.
  typedef enum logic [1:0] {
    ParBias  = 2'd0,  // int32 bias, added to the sign-extended accumulator
    ParMult  = 2'd1,  // requantization multiplier M (positive int32)
    ParShift = 2'd2,  // requantization shift S (data bits [5:0])
    ParZero  = 2'd3   // output zero point z_out, added after the shift (data bits [ActBits-1:0])
  } sfp_par_e;

  // Performance counter ids: index into core's ctr_o (sw/include/accel/isa.hpp accel::Counter).
  // Cycles: Compute, WeightLoad, HostTransfer, Drain and Stall are mutually exclusive (priority in
  // that order) and sum to Total. Events (for the energy estimate, docs/energy.md): each counted in
  // the cycle its instruction executes, L0 pushes the cycle after their xmem_rd. Ids are in the
  // order they were added.
  typedef enum logic [4:0] {
    CtrTotal        = 5'd0,   // every cycle since reset or the last ctr_clr
    CtrCompute      = 5'd1,   // an activation vector enters the array (l0_rd executes)
    CtrWeightLoad   = 5'd2,   // else: w_load, w_commit or wmem_wr executes
    CtrHostTransfer = 5'd3,   // else: xmem_wr or par_wr executes (host data on data_i)
    CtrStall        = 5'd4,   // else (not Drain): fill, WS drain, read-out only, or idle
    CtrDrain        = 5'd5,   // else: OS results in the array (accumulating, os_drain, shifting out)
    CtrMacs         = 5'd6,   // multiply-accumulates: Rows*Cols per l0_rd, 2*Rows*Cols with l0_simd
    CtrXmemRead     = 5'd7,   // xmem_rd
    CtrXmemWrite    = 5'd8,   // xmem_wr
    CtrWmemRead     = 5'd9,   // wmem_rd
    CtrWmemWrite    = 5'd10,  // wmem_wr
    CtrPmemRead     = 5'd11,  // pmem row reads: of_rd with of_acc, plus out_rd
    CtrPmemWrite    = 5'd12,  // pmem row writes: of_rd
    CtrL0Push       = 5'd13,  // a vector pushed into L0 (l0_push_q)
    CtrL0Pop        = 5'd14,  // a vector popped from L0 (l0_rd)
    CtrOfifoPop     = 5'd15,  // a psum row popped from the OFIFO (of_rd)
    CtrWeightShift  = 5'd16,  // w_load
    CtrWeightCommit = 5'd17,  // w_commit
    CtrSfpOut       = 5'd18   // out_rd
  } ctr_e;
  localparam int unsigned NumCtrs = 19;

  // ---------------------------------------------------------------------------------------------
  // Instruction word. The first member is the MSB: the layout, LSB first, is
  //   [0] xmem_wr  [16:1] xmem_wr_addr  [17] xmem_rd  [33:18] xmem_rd_addr
  //   [34] w_load  [35] w_commit  [36] w_buf  [37] l0_rd  [38] l0_wsel
  //   [39] of_rd  [40] of_acc  [56:41] of_addr
  //   [57] out_rd  [58] out_raw  [59] out_relu  [75:60] out_addr
  //   [76] par_wr  [78:77] par_sel  [86:79] par_col  [87] ctr_clr
  //   [88] wmem_wr  [89] wmem_rd  [105:90] wmem_rd_addr  [106] l0_os  [107] os_drain  [108] l0_simd
  //   [109] out_half
  // All zeros is a no-op. The output-stationary fields (docs/isa.md "Output-stationary mode")
  // sit above the weight-stationary ones, which keep their positions.
  // ---------------------------------------------------------------------------------------------
  typedef struct packed {
    logic                  out_half;      // read-out requantizes to ActBits/2 bits (SIMD mode's activations)
    logic                  l0_simd;       // the vector l0_rd pops is SIMD (two half-width activations per lane)
    logic                  os_drain;      // every tile's accumulator south into the OFIFO, cleared
    logic                  l0_os;         // the vector l0_rd pops computes output-stationary (pops N0)
    logic [AddrBits-1:0]   wmem_rd_addr;  // wmem address to read into N0
    logic                  wmem_rd;       // read wmem[wmem_rd_addr] and push it into N0
    logic                  wmem_wr;       // write data_i (one weight row) to wmem[xmem_wr_addr]
    logic                  ctr_clr;       // clear all performance counters
    logic [ColIdxBits-1:0] par_col;       // SFP parameter column
    sfp_par_e              par_sel;       // which SFP parameter par_wr writes
    logic                  par_wr;        // write data_i[31:0] to SFP parameter par_sel of par_col
    logic [AddrBits-1:0]   out_addr;      // pmem row to read out
    logic                  out_relu;      // read-out applies ReLU after the bias
    logic                  out_raw;       // read-out gives acc+bias (64-bit) instead of requantized
    logic                  out_rd;        // SFP read-out of pmem row out_addr to out_o
    logic [AddrBits-1:0]   of_addr;       // pmem row the popped psum row updates
    logic                  of_acc;        // 1: pmem[of_addr] += row, 0: pmem[of_addr] = row
    logic                  of_rd;         // pop one psum row from the OFIFO into the SFP
    logic                  l0_wsel;       // weight buffer the vector popped by l0_rd computes with
    logic                  l0_rd;         // pop one vector from L0 into the array (skewed)
    logic                  w_buf;         // weight buffer w_commit writes
    logic                  w_commit;      // copy every tile's load chain into buffer w_buf
    logic                  w_load;        // shift data_i (one weight column) into the load chain
    logic [AddrBits-1:0]   xmem_rd_addr;  // xmem address to read into L0
    logic                  xmem_rd;       // read xmem[xmem_rd_addr] and push it into L0
    logic [AddrBits-1:0]   xmem_wr_addr;  // xmem address to write
    logic                  xmem_wr;       // write data_i (one activation vector) to xmem
  } instr_t;

  // Host-contract constants: read by the host (sw/include/accel/isa.hpp mirrors them) and by
  // tb/instr_probe.sv, not by the core itself, so a plain `verilator -Wall` of the design would
  // call them unused. The waiver sits here, next to them, so it holds for any lint invocation.
  /* verilator lint_off UNUSEDPARAM */
  localparam int unsigned InstrBits = $bits(instr_t);
  /* verilator lint_on UNUSEDPARAM */

  // FIFO status on core's status_o, for host-side checks and debugging (the schedule itself
  // comes from the latencies below, not from polling). LSB first: l0_empty, l0_idle, l0_full,
  // of_valid, of_full. Shows the state left by the slots before the current one.
  typedef struct packed {
    logic of_full;   // some OFIFO column is full
    logic of_valid;  // every OFIFO column holds a psum: of_rd is legal
    logic l0_full;   // some L0 row FIFO is full
    logic l0_idle;   // every L0 row FIFO is empty (nothing pending in the skew)
    logic l0_empty;  // L0 row 0 is empty: l0_rd is illegal
  } status_t;

  // The core's parameters as it was built, on core's params_o (constant): the host checks at start
  // that the model it drives is the configuration it claims (C++ decoder: accel::params_from_words
  // in sw/include/accel/isa.hpp; tests/test_rtl_core.cpp checks it on every configuration).
  typedef struct packed {
    logic [7:0]  simd;
    logic [15:0] ofifo_depth;
    logic [15:0] l0_depth;
    logic [31:0] pmem_depth;
    logic [31:0] xmem_depth;
    logic [7:0]  psum_bits;
    logic [7:0]  weight_bits;
    logic [7:0]  act_bits;
    logic [15:0] cols;
    logic [15:0] rows;
  } params_t;

  // ---------------------------------------------------------------------------------------------
  // Configuration-dependent widths
  // ---------------------------------------------------------------------------------------------
  function automatic int unsigned max3(int unsigned a, int unsigned b, int unsigned c);
    int unsigned m = a;
    if (b > m) m = b;
    if (c > m) m = c;
    return m;
  endfunction

  // data_i carries one activation vector, one weight column (WS; with SIMD both lanes' columns,
  // 2 * rows weights), one weight row (OS) or one 32-bit SFP parameter.
  function automatic int unsigned data_bits(int unsigned rows, int unsigned cols, int unsigned act_bits,
                                            int unsigned weight_bits, int unsigned simd);
    int unsigned m = max3(rows * act_bits, (simd + 1) * rows * weight_bits, cols * weight_bits);
    return (m > ParBits) ? m : ParBits;
  endfunction

  // ---------------------------------------------------------------------------------------------
  // Latencies, in instruction slots (docs/isa.md "Timing"). "A -> B = L": an instruction B in
  // slot n + L (or later) sees the effect of an instruction A in slot n. Output latencies: the
  // port shows the result after the host's tick of slot n + L.
  // ---------------------------------------------------------------------------------------------
  /* verilator lint_off UNUSEDPARAM */  // host contract, see InstrBits
  localparam int unsigned LatXmemWrToXmemRd = 1;  // xmem_wr -> xmem_rd of that address
  localparam int unsigned LatXmemRdToL0Rd   = 2;  // xmem_rd -> l0_rd of that vector
  localparam int unsigned LatLoadToCommit   = 1;  // last w_load -> w_commit
  localparam int unsigned LatCommitToL0Rd   = 1;  // w_commit of buffer b -> l0_rd using b
  localparam int unsigned LatOfRdToPsumOut  = 1;  // of_rd -> psum_valid_o/psum_o
  localparam int unsigned LatOfRdToOutRd    = 1;  // of_rd updating row a -> out_rd of row a
  localparam int unsigned LatParWrToOutRd   = 0;  // par_wr -> out_rd using it
  localparam int unsigned LatOutRdToOut     = 2;  // out_rd -> out_valid_o/out_o
  localparam int unsigned LatWmemWrToWmemRd = 1;  // wmem_wr -> wmem_rd of that address
  localparam int unsigned LatWmemRdToL0Rd   = 2;  // wmem_rd -> OS l0_rd of that weight row
  localparam int unsigned LatDrainToL0Rd    = 1;  // os_drain -> next l0_rd (either mode)
  localparam int unsigned LatDrainToOfRd    = 2;  // os_drain -> of_rd of its row 0 (row j: + j)
  /* verilator lint_on UNUSEDPARAM */

  // l0_rd -> of_rd that pops the psum row of that vector.
  function automatic int unsigned lat_l0rd_to_ofrd(int unsigned rows, int unsigned cols);
    return rows + cols;
  endfunction

  // Last l0_rd using buffer b -> w_commit that overwrites buffer b.
  function automatic int unsigned lat_l0rd_to_commit(int unsigned rows, int unsigned cols);
    return rows + cols - 2;
  endfunction

  // Output-stationary: last OS l0_rd -> the os_drain that includes its products.
  function automatic int unsigned lat_os_l0rd_to_drain(int unsigned rows, int unsigned cols);
    return rows + cols - 2;
  endfunction

  // Last WS l0_rd -> os_drain (the vector's psums have left the chain the drain uses).
  function automatic int unsigned lat_ws_l0rd_to_drain(int unsigned rows, int unsigned cols);
    return rows + cols - 1;
  endfunction

  // os_drain -> the next os_drain (the Rows accumulators of every column have shifted out).
  function automatic int unsigned lat_drain_to_drain(int unsigned rows);
    return rows;
  endfunction

endpackage
