if(TARGET dockd_ums)
  dockd_unit_test(ums_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/ums_recorder_test.cpp LIBS dockd_ums)
endif()
