# USB layer under umockdev: the preload library is linked in (as libusb's own
# tests do) so the test binary sees the emulated /sys and /dev.
pkg_check_modules(UMOCKDEV IMPORTED_TARGET umockdev-1.0)
if(UMOCKDEV_FOUND AND TARGET dockd_usb AND TARGET dockd_ums)
  dockd_unit_test(usb_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/usb_source_test.cpp ${CMAKE_CURRENT_LIST_DIR}/usb_testbed.cpp
            ${CMAKE_CURRENT_LIST_DIR}/usb_block_test.cpp
    LIBS dockd_usb dockd_ums PkgConfig::UMOCKDEV "-Wl,--push-state,--no-as-needed" umockdev-preload "-Wl,--pop-state")
else()
  message(STATUS "usb_test not built: umockdev-1.0 (libumockdev-dev) not found")
endif()
if(UMOCKDEV_FOUND AND TARGET dockd_usb)
  dockd_unit_test(usb_station_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/usb_station_test.cpp ${CMAKE_CURRENT_LIST_DIR}/usb_station_gates_test.cpp
            ${CMAKE_CURRENT_LIST_DIR}/usb_testbed.cpp
    LIBS dockd_station SQLite::SQLite3 PkgConfig::UMOCKDEV "-Wl,--push-state,--no-as-needed" umockdev-preload "-Wl,--pop-state")
  # The sdk driver finds dockd-sdk-host beside the running program, as installed.
  target_compile_definitions(usb_station_test PRIVATE DOCKD_TEST_VENDOR="$<TARGET_FILE:dockd_test_vendor>")
  add_dependencies(usb_station_test dockd-sdk-host dockd_test_vendor)
  add_custom_command(TARGET usb_station_test POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:dockd-sdk-host> $<TARGET_FILE_DIR:usb_station_test>/)
endif()
