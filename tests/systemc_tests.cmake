# SystemC/TLM-2.0 model of the core (sim/systemc, docs/systemc.md). Tags: [systemc], [random]
# (ACCEL_SEED overrides the seed), [mnist], [bad_input].
if(TARGET accel_systemc)
  accel_test(systemc LIBS accel_systemc accel_sim accel_sw golden)
  add_dependencies(test_systemc accel_sc_models accel_models)
endif()
