# The Debian package: `cpack -G DEB` in the build tree (or `cmake --build
# build --target package`) writes dockd_<version>_<arch>.deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dockd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "dockd maintainers <maintainers@dockd.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "docking station daemon for body-worn recorders")
# The synopsis is the summary above; CPack indents these lines and turns the
# empty one into the " ." paragraph break.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "dockd runs a multi-bay docking station for law-enforcement body-worn
recorders: it identifies each docked recorder and its custodian, copies
and hashes every media file, records the handover in a tamper-evident
custody log, corrects the recorder's clock and uploads the footage with
signed manifests to file or S3 archives.

This package holds the daemon, the dockctl command-line client, the
dockd-verify archive checker (when built), the hardened systemd service,
udev rules, man pages and a Prometheus/Grafana monitoring kit.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # dockd_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies come from dpkg-shlibdeps, never by hand. systemd is a
# program dependency: postinst runs systemd-sysusers and systemd-tmpfiles.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
# udev applies the recorder/hub permissions; containers run without it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "udev")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/postinst ${CMAKE_CURRENT_SOURCE_DIR}/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/postrm ${CMAKE_CURRENT_SOURCE_DIR}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)  # 0755 scripts, 0644 conffiles
# The build is RelWithDebInfo: strip what goes into the package.
set(CPACK_STRIP_FILES ON)
# Directories the package creates are 0755 root:root, whatever the umask.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                                WORLD_READ WORLD_EXECUTE)
# Only the files of this build, not a stale staging tree.
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
include(CPack)
