dockd_unit_test(usb_config_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/usb_config_test.cpp LIBS dockd_config)
dockd_unit_test(udev_rules_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/udev_rules_test.cpp LIBS dockd_station)
