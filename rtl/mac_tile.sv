// Weight-stationary MAC tile: psum_o = psum_i + act_i * weight, weight double-buffered behind a load chain.
module mac_tile #(
  parameter int unsigned ActBits    = 8,   // unsigned activation width
  parameter int unsigned WeightBits = 8,   // signed weight width
  parameter int unsigned PsumBits   = 32   // signed partial-sum width (wraps)
) (
  input  logic                  clk_i,        // clock
  input  logic                  rst_ni,       // synchronous reset, active low
  input  logic                  act_valid_i,  // an activation arrives from the west
  input  logic                  act_sel_i,    // weight buffer it computes with
  input  logic [ActBits-1:0]    act_i,        // the activation (unsigned)
  output logic                  act_valid_o,  // registered act_valid_i, to the east
  output logic                  act_sel_o,    // registered act_sel_i, to the east
  output logic [ActBits-1:0]    act_o,        // registered act_i, to the east
  input  logic [PsumBits-1:0]   psum_i,       // partial sum from the north
  output logic [PsumBits-1:0]   psum_o,       // partial sum to the south; meaningful only with act_valid_o
  input  logic                  w_load_i,     // shift the load chain east by one tile
  input  logic [WeightBits-1:0] w_i,          // weight from the west neighbour's chain
  output logic [WeightBits-1:0] w_o,          // this tile's chain register, to the east
  input  logic                  w_commit_i,   // copy the chain register into buffer w_buf_i
  input  logic                  w_buf_i       // buffer w_commit_i writes
);

  localparam int unsigned ProdBits = ActBits + WeightBits + 1;

  logic                         valid_d, valid_q, sel_d, sel_q;
  logic        [ActBits-1:0]    act_d, act_q;
  logic        [PsumBits-1:0]   psum_d, psum_q;
  logic        [WeightBits-1:0] chain_d, chain_q;
  logic [1:0]  [WeightBits-1:0] buf_d, buf_q;  // packed: cheaper to simulate than an array
  logic signed [ProdBits-1:0]   prod;

  // Exact product of an unsigned activation and a signed weight.
  assign prod = $signed({1'b0, act_i}) * $signed(buf_q[act_sel_i]);

  // The datapath registers load every cycle (no hold when idle): outputs are meaningful only
  // with act_valid_o, and the simulation is cheaper without the hold multiplexers.
  always_comb begin
    valid_d  = act_valid_i;
    sel_d    = act_sel_i;
    act_d    = act_i;
    psum_d   = psum_i + PsumBits'(prod);
    chain_d  = chain_q;
    buf_d    = buf_q;
    if (w_load_i) chain_d = w_i;
    if (w_commit_i) buf_d[w_buf_i] = chain_q;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      valid_q  <= 1'b0;
      sel_q    <= 1'b0;
      act_q    <= '0;
      psum_q   <= '0;
      chain_q  <= '0;
      buf_q    <= '0;
    end else begin
      valid_q  <= valid_d;
      sel_q    <= sel_d;
      act_q    <= act_d;
      psum_q   <= psum_d;
      chain_q  <= chain_d;
      buf_q    <= buf_d;
    end
  end

  assign act_valid_o = valid_q;
  assign act_sel_o   = sel_q;
  assign act_o       = act_q;
  assign psum_o      = psum_q;
  assign w_o         = chain_q;

  // -------------------------------------------------------------------------------------------
  // Assertions
  // -------------------------------------------------------------------------------------------
  initial begin : p_params
    assert (ActBits >= 1 && WeightBits >= 2 && PsumBits >= 2 && PsumBits <= 64)
      else $error("mac_tile: illegal parameters ActBits=%0d WeightBits=%0d PsumBits=%0d",
                  ActBits, WeightBits, PsumBits);
  end

endmodule
