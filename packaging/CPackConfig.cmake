# CPack settings for the Debian package, included from the top-level CMakeLists.txt after the install rules.
# `cpack -G DEB` in a build directory writes lathe_<version>_<arch>.deb.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "lathe")
set(CPACK_PACKAGE_VENDOR "Lathe developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Mastering workstation for stereo and stem masters")
# One string (set() with several would make a ;-separated list, and the semicolons would show in the package).
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "Lathe masters a client's mix or stems to loudness targets: EQ, compression, multiband, saturation and a\n"
    "true-peak limiter, with loudness (EBU R128) and true-peak reports. Includes the lathe desktop application\n"
    "and lathe-cli for headless and batch rendering.")
set(CPACK_PACKAGE_CONTACT "Lathe developers <dev@lathe.audio>")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://lathe.audio")
# The Homepage: field of the control file (CPack leaves it out unless this is set).
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${CPACK_PACKAGE_HOMEPAGE_URL}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "lathe")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # lathe_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION "sound")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Runtime libraries (Qt 6, libsndfile, libebur128, FFTW, soxr, PortAudio, TagLib, libavcodec/libavformat) are found by dpkg-shlibdeps from the
# binaries, so the Depends line always matches what was linked.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The offscreen/xcb platform plugins live in qt6-qpa-plugins, which no binary links directly.
# The AAC, Opus and Vorbis encoders are libavcodec's (aac native; libopus and libvorbis through it):
# named here too so the package states what the deliverables need even if shlibdeps changes.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, libtag1v5, libavcodec59, libavformat59")

include(CPack)
