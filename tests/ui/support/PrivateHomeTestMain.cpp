#include "PrivateHomeTestMain.h"

#include "core/support/PrivateAudioSystem.h"

#include <QApplication>
#include <QDir>
#include <QStandardPaths>

#include <gtest/gtest.h>

#include <cstdlib>

namespace lathe::ui::test {

int runWithPrivateHome(int argc, char** argv, const char* applicationName) {
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    char home[] = "/tmp/lathe-ui-test-home-XXXXXX";
    if (::mkdtemp(home) != nullptr) {
        qputenv("HOME", home);
        qputenv("XDG_CONFIG_HOME", QByteArray(home) + "/config");
    }
    // Before anything can start PortAudio: the window and the audio settings dialog list and open devices.
    lathe::test::PrivateAudioSystem audio;
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("LatheTests"));
    QApplication::setApplicationName(QString::fromUtf8(applicationName));
    QStandardPaths::setTestModeEnabled(true);
    ::testing::InitGoogleTest(&argc, argv);
    const int result = RUN_ALL_TESTS();
    QDir(QString::fromLocal8Bit(home)).removeRecursively();
    return result;
}

} // namespace lathe::ui::test
