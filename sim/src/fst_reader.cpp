// GTKWave's FST library (shipped with Verilator), compiled once for the reader side: the wave
// layout (wave_layout.cpp) reads a trace's signal names with it. The model libraries carry their
// own hidden copy for writing; this one is for programs that never load Verilator's runtime.
// The defines are the ones verilated_fst_c.cpp uses.
// clang-format off
#define HAVE_LIBPTHREAD
#define FST_CONFIG_INCLUDE "fst_config.h"
#include "gtkwave/fastlz.c"
#include "gtkwave/fstapi.c"
#include "gtkwave/lz4.c"
// clang-format on
