#include "ui/AlbumWindow.h"

#include "core/demo/DemoFolder.h"
#include "support/PrivateHomeTestMain.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <gtest/gtest.h>

using lathe::ui::AlbumWindow;

TEST(AlbumWindow, ListsSongsSideBySideReordersAndRendersTheAlbum) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    QStringList songs;
    for (const char* name : {"01 Alpha", "02 Bravo"}) {
        lathe::core::DemoOptions options;
        options.seconds = 5.0;
        options.seed = name[1] == '1' ? 1u : 7u;
        songs << QString::fromStdString(
            lathe::core::writeDemoFolder(dir.filePath(QString::fromLatin1(name)).toStdString(), options)
                .folder);
    }
    AlbumWindow window;
    window.addSongs(songs);
    window.setTitle(QStringLiteral("Test Album"));
    window.setOutputFolder(dir.filePath(QStringLiteral("out")));
    window.moveSong(1, 0);
    ASSERT_EQ(window.songs().size(), 2);
    EXPECT_TRUE(window.songs()[0].endsWith(QStringLiteral("02 Bravo")));
    EXPECT_EQ(window.cell(0, 1), QStringLiteral("02 Bravo"));

    QSignalSpy measured(&window, &AlbumWindow::measured);
    window.measure();
    ASSERT_TRUE(measured.wait(240000));
    ASSERT_TRUE(measured.at(0).at(0).toBool()) << window.errorMessage().toStdString();
    ASSERT_EQ(window.songLufs().size(), 2u);
    // Side by side: each song as mixed and its album target; the loudest gets -14, the other keeps its
    // distance.
    const auto targets = lathe::core::albumTrackTargets(window.songLufs(), -14.0);
    for (int row = 0; row < 2; ++row) {
        EXPECT_EQ(window.cell(row, 2), QStringLiteral("%1 LUFS").arg(window.songLufs()[row], 0, 'f', 1));
        EXPECT_EQ(window.cell(row, 3), QStringLiteral("%1 LUFS").arg(targets[row], 0, 'f', 1));
    }
    EXPECT_DOUBLE_EQ(std::max(targets[0], targets[1]), -14.0);

    QSignalSpy rendered(&window, &AlbumWindow::rendered);
    window.render();
    ASSERT_TRUE(rendered.wait(240000));
    ASSERT_TRUE(rendered.at(0).at(0).toBool()) << window.errorMessage().toStdString();
    ASSERT_TRUE(window.report().has_value());
    ASSERT_EQ(window.report()->tracks.size(), 2u);
    EXPECT_EQ(window.report()->tracks[0].song, "02 Bravo") << "the album follows the reordered list";
    for (int row = 0; row < 2; ++row) {
        const auto& d = window.report()->tracks[static_cast<size_t>(row)].report.deliverables.front();
        EXPECT_NEAR(d.integratedLufs, targets[static_cast<size_t>(row)], 0.1);
        EXPECT_EQ(window.cell(row, 4), QStringLiteral("%1 LUFS").arg(d.integratedLufs, 0, 'f', 1));
    }
    EXPECT_TRUE(QFileInfo::exists(QString::fromStdString(window.report()->albumWav)));
}

int main(int argc, char** argv) {
    return lathe::ui::test::runWithPrivateHome(argc, argv, "AlbumWindowTest");
}
