# Text vector files (tests/CMakeLists.txt includes this file): [vectors], [io], [bad_input],
# [random]. Parsing, replay on the functional device and export (docs/vector-files.md).
accel_test(vectors LIBS accel_vectors)
