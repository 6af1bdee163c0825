# Unit tests of the station's own facts: is the host clock synchronised (issue 9).
dockd_unit_test(host_clock_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/host_clock_test.cpp LIBS dockd_station OpenSSL::Crypto)
# Reload: what a new configuration may change live, and what needs a restart.
dockd_unit_test(reconfigure_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/reconfigure_test.cpp LIBS dockd_station OpenSSL::Crypto)
