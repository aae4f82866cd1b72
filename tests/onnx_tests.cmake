# The ONNX importer beyond its unit tests (tests/test_onnx_import.cpp, in sw_tests.cmake): the round
# trip of every committed model (golden/train/onnx_export.py, cosim import, compared tensor by
# tensor and by the golden logits of every image), shown able to fail by a changed weight.
set(_py /usr/bin/python3)
add_test(NAME "onnx: every committed model exported and imported gives the same integer model and logits"
         COMMAND ${_py} ${ACCEL_ROOT}/scripts/onnx_roundtrip.py ${CMAKE_BINARY_DIR})
add_test(NAME "onnx: the round trip finds one changed weight"
         COMMAND ${_py} ${ACCEL_ROOT}/scripts/onnx_roundtrip.py --tamper ${CMAKE_BINARY_DIR} ${ACCEL_ROOT}/models/mnist_int8)
set_tests_properties("onnx: the round trip finds one changed weight" PROPERTIES
                     PASS_REGULAR_EXPRESSION "conv1.weight: 1 values differ")
set_tests_properties("onnx: every committed model exported and imported gives the same integer model and logits"
                     "onnx: the round trip finds one changed weight" PROPERTIES LABELS onnx)
# The reference LeNet (input zero point 33) imported, then golden and the exporter's NumPy reference
# on every held-out image: identical logits.
add_test(NAME "onnx: the imported LeNet's logits are identical in golden and the NumPy reference"
         COMMAND ${_py} ${ACCEL_ROOT}/scripts/onnx_lenet.py ${CMAKE_BINARY_DIR})
set_tests_properties("onnx: the imported LeNet's logits are identical in golden and the NumPy reference"
                     PROPERTIES LABELS onnx)
add_test(NAME "onnx: the LeNet comparison finds a dropped zero point"
         COMMAND ${_py} ${ACCEL_ROOT}/scripts/onnx_lenet.py --tamper ${CMAKE_BINARY_DIR})
set_tests_properties("onnx: the LeNet comparison finds a dropped zero point" PROPERTIES
                     PASS_REGULAR_EXPRESSION "identical on [0-9]+/2004 images.* MISMATCH" LABELS onnx)
