# CPack DEB: `cmake --build BUILD --target package` writes BUILD/salient_<version>_<arch>.deb.
# The binaries' install rules live in app/CMakeLists.txt; the data files (desktop entry, icons,
# AppStream metainfo, man pages, docs) are installed here from packaging/. Nothing here needs a
# tool beyond CMake at build time: the PNG icons are committed (packaging/icons/, made once with
# rsvg-convert from salient.svg) and the man pages are gzipped by `gzip -9n` (Essential) or CMake.
# Checked end to end by .ci/package-check.sh.

# Script mode (fallback gzip when the gzip program is missing): cmake -DIN=f -DOUT=f.gz -P this file.
if(CMAKE_SCRIPT_MODE_FILE)
  file(ARCHIVE_CREATE OUTPUT "${OUT}" PATHS "${IN}" FORMAT raw COMPRESSION GZip COMPRESSION_LEVEL 9)
  return()
endif()

include(GNUInstallDirs)

set(SALIENT_APP_ID "io.github.salient.Salient")
set(SALIENT_HOMEPAGE "https://github.com/salient-nlp/salient" CACHE STRING "Homepage written into the package")
set(SALIENT_MAINTAINER "Salient developers <salient@example.org>" CACHE STRING "Debian Maintainer field")
set(_pkg_src "${PROJECT_SOURCE_DIR}/packaging")
set(_pkg_bin "${PROJECT_BINARY_DIR}/packaging")
string(TIMESTAMP SALIENT_RELEASE_DATE "%Y-%m-%d" UTC)

# --- data files ----------------------------------------------------------------------------------
# Man pages: the version is substituted, then gzipped with `gzip -9n` (no name/mtime in the
# header: reproducible, as Debian policy asks; gzip is an Essential package), or with CMake's own
# archive support when gzip is missing.
find_program(SALIENT_GZIP gzip)
mark_as_advanced(SALIENT_GZIP)
set(_man_gz)
foreach(page salient-cli salient)
  if(page STREQUAL "salient" AND NOT SALIENT_BUILD_GUI)
    continue()
  endif()
  set(SALIENT_VERSION "${PROJECT_VERSION}")
  configure_file(${_pkg_src}/${page}.1 ${_pkg_bin}/${page}.1 @ONLY)
  if(SALIENT_GZIP)
    set(_gz_cmd ${SALIENT_GZIP} -9nkf ${_pkg_bin}/${page}.1)
  else()
    set(_gz_cmd ${CMAKE_COMMAND} -DIN=${_pkg_bin}/${page}.1 -DOUT=${_pkg_bin}/${page}.1.gz
                -P ${PROJECT_SOURCE_DIR}/cmake/Packaging.cmake)
  endif()
  add_custom_command(
    OUTPUT ${_pkg_bin}/${page}.1.gz
    COMMAND ${_gz_cmd}
    DEPENDS ${_pkg_bin}/${page}.1 ${PROJECT_SOURCE_DIR}/cmake/Packaging.cmake
    COMMENT "Compressing man page ${page}.1" VERBATIM)
  list(APPEND _man_gz ${_pkg_bin}/${page}.1.gz)
endforeach()
add_custom_target(salient_man_pages ALL DEPENDS ${_man_gz})
install(FILES ${_man_gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

if(SALIENT_BUILD_GUI)
  install(FILES ${_pkg_src}/salient.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications RENAME ${SALIENT_APP_ID}.desktop)
  install(FILES ${_pkg_src}/icons/salient.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps RENAME ${SALIENT_APP_ID}.svg)
  foreach(size 16 22 24 32 48 64 128 256)
    install(FILES ${_pkg_src}/icons/salient-${size}.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps RENAME ${SALIENT_APP_ID}.png)
  endforeach()
  configure_file(${_pkg_src}/${SALIENT_APP_ID}.metainfo.xml ${_pkg_bin}/${SALIENT_APP_ID}.metainfo.xml @ONLY)
  install(FILES ${_pkg_bin}/${SALIENT_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/cli.md ${PROJECT_SOURCE_DIR}/docs/method.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/salient)

# --- CPack ---------------------------------------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "salient")
set(CPACK_PACKAGE_VENDOR "Salient")
# One version: project(VERSION) in the top-level CMakeLists.txt (also SALIENT_VERSION in the code).
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${SALIENT_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${SALIENT_HOMEPAGE}")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # salient_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_NAME "salient")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SALIENT_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${SALIENT_HOMEPAGE}")
# Runtime libraries (Qt 6, QCustomPlot, HDF5, libgomp, OpenBLAS when used) come from dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(SALIENT_BUILD_GUI)
  # Icons land in the hicolor theme; the Wayland platform plugin is a separate package.
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "hicolor-icon-theme, qt6-qpa-plugins")
endif()
# CPack makes the synopsis from CPACK_PACKAGE_DESCRIPTION_SUMMARY and indents these lines
# (an empty line becomes the " ." paragraph separator).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"Salient finds and inspects the neurons of NLP models that encode linguistic
properties (Linguistic Correlation Analysis, Durrani, Dalvi and Sajjad, JMLR
2023, as in the NeuroX toolkit). It reads per-token activations (NeuroX HDF5 or
JSON lines) with token and label files, trains elastic-net probes, ranks
neurons by weight mass, and runs grid search, minimal subset, ablation, control
tasks and selectivity, layer-wise probes and clustering.

This package contains the Qt desktop application (salient) with its salience
heatmap, layer distribution, ablation curves and per-word activation views, and
the headless command-line twin (salient-cli).")
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/")
include(CPack)
