# The RTL device and the cosim program (tests/CMakeLists.txt includes this file): [rtl], [cosim],
# [random], [mnist], [vectors], [bad_input], [browser] (the HTML report in headless Chromium), [wave] (trace layouts in GTKWave
# under Xvfb). The CLI tests run the built binary (COSIM_EXE).
if(TARGET accel_rtl_device)
  accel_test(rtl_device LIBS accel_rtl_device accel_devices accel_report accel_sw accel_vectors)
  accel_test(fault LIBS accel_rtl_device accel_sw)
  add_dependencies(test_fault accel_core_int8)
  accel_test(cosim LIBS accel_wave nlohmann_json::nlohmann_json)
  # ACCEL_BUILD_DIR: where the [browser] test leaves its screenshots (screenshots/*.png).
  target_compile_definitions(test_cosim PRIVATE COSIM_EXE="$<TARGET_FILE:cosim>" ACCEL_BUILD_DIR="${CMAKE_BINARY_DIR}")
  # The reproduction-command formatter cosim uses (header only).
  target_include_directories(test_cosim PRIVATE ${ACCEL_ROOT}/sim/include ${ACCEL_ROOT}/sim/cosim)
  add_dependencies(test_cosim cosim accel_models)
  add_dependencies(test_rtl_device accel_models)
  if(TARGET accel_sc_models)
    add_dependencies(test_cosim accel_sc_models)
  endif()
endif()
