# accel_add_catch_tests(<target>)
#
# Registers every Catch2 test case of <target> with CTest (catch_discover_tests)
# and gives each CTest test one label per Catch2 tag it carries, so that
# `ctest -L rtl` runs exactly the test cases tagged [rtl].
#
# Catch2 v2 (Debian) cannot attach tags as labels itself; after each build we ask
# the executable for its tags and, per tag, for the test names carrying it, and
# write the set_tests_properties() calls into a file CTest includes after the
# discovered tests.
set(_CATCH_TAG_LABELS_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/CatchTagLabelsWrite.cmake)

function(accel_add_catch_tests target)
  catch_discover_tests(${target} WORKING_DIRECTORY ${ACCEL_ROOT} ${ARGN})
  set(labels_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -D EXE=$<TARGET_FILE:${target}> -D OUT=${labels_file}
            -P ${_CATCH_TAG_LABELS_SCRIPT}
    VERBATIM)
  # The labels file exists only once the target is built; a partial build must
  # still leave ctest usable, so CTest includes it through a guard.
  set(guard_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels_guard.cmake)
  file(WRITE ${guard_file} "if(EXISTS \"${labels_file}\")\n  include(\"${labels_file}\")\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${guard_file})
endfunction()
