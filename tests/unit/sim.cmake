dockd_unit_test(sim_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/sim_test.cpp LIBS dockd_sim)
dockd_unit_test(sim_listing_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/sim_listing_test.cpp LIBS dockd_sim OpenSSL::Crypto)
