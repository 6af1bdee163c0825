# Unit tests of archive targets (DESIGN §7): write-once, verified objects.
dockd_unit_test(file_target_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/file_target_test.cpp LIBS dockd_archive)
