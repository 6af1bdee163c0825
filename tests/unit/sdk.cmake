if(TARGET dockd_sdk AND TARGET dockd_test_vendor)
  dockd_unit_test(sdk_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/sdk_recorder_test.cpp LIBS dockd_sdk)
  target_compile_definitions(sdk_test PRIVATE
    DOCKD_SDK_HOST="$<TARGET_FILE:dockd-sdk-host>"
    DOCKD_TEST_VENDOR="$<TARGET_FILE:dockd_test_vendor>"
    DOCKD_TEST_VENDOR_NOMSDC="$<TARGET_FILE:dockd_test_vendor_nomsdc>")
  add_dependencies(sdk_test dockd-sdk-host dockd_test_vendor dockd_test_vendor_nomsdc)
endif()
