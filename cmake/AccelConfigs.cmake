# The core configurations: rtl/configs.txt is read here, once, and everything else iterates over
# what this file makes of it (docs/extending.md "A new configuration"):
#   ACCEL_CONFIGS                       the configuration names, in file order
#   ACCEL_CONFIG_<name>_PARAMS          Rows;Cols;...;OfifoDepth;Simd values (ACCEL_CONFIG_PARAMS order,
#                                       then Simd: 1 for the tag simd, else 0)
#   ACCEL_CONFIG_<name>_VERILATOR_ARGS  -GRows=8;-GCols=8;... (every core parameter)
#   <build>/generated/accel/configs_table.hpp   the C++ table (accel::kConfigs, accel::configs::<name>)
#   <build>/configs.list                one line per configuration, "name Rows=8 Cols=8 ...", for the
#                                       scripts (lint, bench, regress)
# rtl/sources.f (the RTL file list for CMake, lint and bench) is read here too: ACCEL_RTL_SOURCES.
# Both files are configure dependencies: an edit takes effect on the next build.
# ACCEL_CONFIGS_ONLY (a list, empty: all) keeps only those configurations, e.g. the coverage build
# (make coverage, docs/coverage.md); the tests name int8, int4, ece284 and odd4x6, so a build that
# runs them keeps at least those.
set(ACCEL_CONFIGS_ONLY "" CACHE STRING "only these configurations of rtl/configs.txt (empty: all)")
# An 11th field holds tags, comma-separated:
#   sweep  the precision sweep's configurations (docs/sweep.md): only a build with ACCEL_SWEEP=ON
#          (make sweep's build-sweep/) has them, so the default build, the tests and CI do not
#          build seven more models of the same RTL;
#   simd   the core has the low-precision SIMD mode (core parameter Simd=1, docs/isa.md "SIMD mode").
option(ACCEL_SWEEP "also the configurations tagged sweep in rtl/configs.txt" OFF)
set(ACCEL_CONFIG_FILE ${ACCEL_ROOT}/rtl/configs.txt)
set(ACCEL_SOURCES_FILE ${ACCEL_ROOT}/rtl/sources.f)
set_property(DIRECTORY ${ACCEL_ROOT} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ACCEL_CONFIG_FILE}
             ${ACCEL_SOURCES_FILE})

# The parameters of rtl/core.sv, in the column order of configs.txt, with the C++ field names.
set(ACCEL_CONFIG_PARAMS Rows Cols ActBits WeightBits PsumBits XmemDepth PmemDepth L0Depth OfifoDepth)

file(STRINGS ${ACCEL_SOURCES_FILE} _src_lines)
set(ACCEL_RTL_SOURCES "")
foreach(line IN LISTS _src_lines)
  string(STRIP "${line}" line)
  if(line STREQUAL "" OR line MATCHES "^(#|//)")
    continue()
  endif()
  list(APPEND ACCEL_RTL_SOURCES ${ACCEL_ROOT}/${line})
endforeach()

file(STRINGS ${ACCEL_CONFIG_FILE} _cfg_lines)
set(ACCEL_CONFIGS "")
set(_seen "")
set(_table "")
set(_list "")
set(_lineno 0)
foreach(line IN LISTS _cfg_lines)
  math(EXPR _lineno "${_lineno} + 1")
  string(STRIP "${line}" line)
  if(line STREQUAL "" OR line MATCHES "^#")
    continue()
  endif()
  string(REGEX REPLACE "[ \t]+" ";" f "${line}")
  list(LENGTH f n)
  set(_where "rtl/configs.txt:${_lineno}")
  set(_tags "")
  if(n EQUAL 11)
    list(POP_BACK f _tagfield)
    string(REPLACE "," ";" _tags "${_tagfield}")
    foreach(t IN LISTS _tags)
      if(NOT t MATCHES "^(sweep|simd)$")
        message(FATAL_ERROR "${_where}: tag '${t}' in the 11th field; the tags are 'sweep' and 'simd'")
      endif()
    endforeach()
  elseif(NOT n EQUAL 10)
    message(FATAL_ERROR "${_where}: expected a name and 9 numbers (${ACCEL_CONFIG_PARAMS}), found ${n} fields")
  endif()
  list(POP_FRONT f name)
  if(NOT name MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "${_where}: configuration name '${name}' must be a lower-case C identifier")
  endif()
  if(name IN_LIST _seen)
    message(FATAL_ERROR "${_where}: configuration '${name}' is listed twice")
  endif()
  list(APPEND _seen ${name})
  set(args "")
  set(kv "")
  foreach(p v IN ZIP_LISTS ACCEL_CONFIG_PARAMS f)
    if(NOT v MATCHES "^[1-9][0-9]*$")
      message(FATAL_ERROR "${_where}: ${p} of '${name}' is '${v}', not a positive integer")
    endif()
    list(APPEND args -G${p}=${v})
    string(APPEND kv " ${p}=${v}")
  endforeach()
  set(_simd 0)
  set(_simd_cpp false)
  if("simd" IN_LIST _tags)
    set(_simd 1)
    set(_simd_cpp true)
  endif()
  list(APPEND args -GSimd=${_simd})
  string(APPEND kv " Simd=${_simd}")
  if(ACCEL_CONFIGS_ONLY AND NOT name IN_LIST ACCEL_CONFIGS_ONLY)
    continue()
  endif()
  if("sweep" IN_LIST _tags AND NOT ACCEL_SWEEP AND NOT name IN_LIST ACCEL_CONFIGS_ONLY)
    continue()
  endif()
  list(APPEND ACCEL_CONFIGS ${name})
  set(ACCEL_CONFIG_${name}_PARAMS ${f} ${_simd})
  set(ACCEL_CONFIG_${name}_VERILATOR_ARGS ${args})
  list(JOIN f ", " _values)
  string(APPEND _table "inline constexpr CoreConfig ${name}{\"${name}\", ${_values}, ${_simd_cpp}};\n")
  string(APPEND _list "${name}${kv}\n")
endforeach()
if(NOT ACCEL_CONFIGS)
  message(FATAL_ERROR "rtl/configs.txt: no configuration")
endif()
foreach(name IN LISTS ACCEL_CONFIGS_ONLY)
  if(NOT name IN_LIST _seen)
    message(FATAL_ERROR "ACCEL_CONFIGS_ONLY: '${name}' is not a configuration of rtl/configs.txt")
  endif()
endforeach()

list(LENGTH ACCEL_CONFIGS _n)
list(JOIN ACCEL_CONFIGS ", configs::" _all)
list(JOIN ACCEL_CONFIGS ", " _names)
set(_each "")
foreach(name IN LISTS ACCEL_CONFIGS)
  string(APPEND _each " X(${name})")
endforeach()
set(ACCEL_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
file(CONFIGURE OUTPUT ${ACCEL_GENERATED_DIR}/accel/configs_table.hpp CONTENT
"// Generated by cmake/AccelConfigs.cmake from rtl/configs.txt: edit that file, not this one.
// Included by accel/config.hpp after the definition of CoreConfig.
#pragma once

namespace accel {
namespace configs {
${_table}}  // namespace configs

inline constexpr std::array<CoreConfig, ${_n}> kConfigs{configs::${_all}};
inline constexpr std::string_view kConfigNames = \"${_names}\";
}  // namespace accel

// X(name) for every configuration, in file order (tests instantiate one test case per configuration).
#define ACCEL_FOR_EACH_CONFIG(X)${_each}
")
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/configs.list CONTENT "${_list}")
message(STATUS "accel configurations: ${_names}")
