// The RTL of the core, package first: the one file list for CMake (cmake/AccelConfigs.cmake),
// lint (scripts/lint.sh) and bench (scripts/bench.sh). Verilator reads it with -f from the
// repository root. Test tops (rtl/tb/) are added by their users.
rtl/accel_pkg.sv
rtl/sram.sv
rtl/fifo_sync.sv
rtl/l0.sv
rtl/mac_tile.sv
rtl/mac_array.sv
rtl/ofifo.sv
rtl/sfp.sv
rtl/corelet.sv
rtl/core.sv
