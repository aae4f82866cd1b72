# The RTL device and the cosim program (tests/CMakeLists.txt includes this file): [rtl], [cosim],
# [random], [mnist], [vectors], [bad_input]. The CLI tests run the built binary (COSIM_EXE).
if(TARGET accel_rtl_device)
  accel_test(rtl_device LIBS accel_rtl_device accel_devices accel_report accel_sw accel_vectors)
  accel_test(cosim LIBS nlohmann_json::nlohmann_json)
  target_compile_definitions(test_cosim PRIVATE COSIM_EXE="$<TARGET_FILE:cosim>")
  add_dependencies(test_cosim cosim)
endif()
