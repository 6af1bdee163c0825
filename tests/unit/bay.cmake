# Unit tests of the bay's rules: ready gates and clock trust (issue 9, DESIGN §12).
dockd_unit_test(gates_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/gates_test.cpp LIBS dockd_bay)
dockd_unit_test(bay_state_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/bay_state_test.cpp LIBS dockd_bay)
