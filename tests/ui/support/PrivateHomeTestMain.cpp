#include "PrivateHomeTestMain.h"

#include "support/PrivateAudioSystem.h"
#include "support/PrivateHome.h"

#include <QApplication>
#include <QStandardPaths>

#include <gtest/gtest.h>

namespace lathe::ui::test {

int runWithPrivateHome(int argc, char** argv, const char* applicationName) {
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    const lathe::test::PrivateHome home;
    // Before anything can start PortAudio: the window and the audio settings dialog list and open devices.
    lathe::test::PrivateAudioSystem audio;
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("LatheTests"));
    QApplication::setApplicationName(QString::fromUtf8(applicationName));
    QStandardPaths::setTestModeEnabled(true);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

} // namespace lathe::ui::test
