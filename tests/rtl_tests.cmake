# RTL tests: Verilated models from sim/ (accel_rtl, accel_sim). Tags: [rtl] everywhere, [random]
# for seeded random tests (ACCEL_SEED overrides the seed), one tag per configuration
# ([int8], [int4], [ece284], [odd4x6]) where a test runs one configuration.
if(TARGET accel_sim)
  accel_test(isa_probe LIBS accel_sim)
  accel_test(rtl_units LIBS accel_sim)
  accel_test(rtl_core LIBS accel_sim)
endif()
