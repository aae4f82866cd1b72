# RTL tests: the module-test and probe models (accel_rtl_units) and the core models of every
# configuration (accel_models, loaded through accel_sim). Tags: [rtl] everywhere, [random] for
# seeded random tests (ACCEL_SEED overrides the seed), one tag per configuration ([int8], ...)
# where a test runs one configuration.
if(TARGET accel_sim)
  accel_test(isa_probe LIBS accel_rtl_units accel_sim)
  accel_test(rtl_units LIBS accel_rtl_units)
  accel_test(rtl_core LIBS accel_sim)
  add_dependencies(test_rtl_core accel_models)
  add_dependencies(test_isa_probe accel_models)
endif()
