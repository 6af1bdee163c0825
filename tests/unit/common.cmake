# Unit tests of daemon/common: civil dates and strict time parsing (issue 12).
dockd_unit_test(time_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/time_test.cpp LIBS dockd_common)
