# Host software tests (tests/CMakeLists.txt includes this file): [functional], [tiler],
# [scoreboard], [report], plus [random] where random. test_runtime links accel_sw_core alone: it fails to link
# if the tiler, runtime or functional device ever call the golden arithmetic.
accel_test(functional LIBS accel_sw_core)
accel_test(runtime LIBS accel_sw_core)
accel_test(tiler LIBS accel_sw accel_report)
accel_test(scoreboard LIBS accel_sw)
accel_test(functional_mnist LIBS accel_sw accel_report golden)
accel_test(report LIBS accel_report)
# The ONNX importer ([onnx]): models built with ONNX's protobuf classes in the test itself.
accel_test(onnx_import LIBS accel_onnx)
