#include "ui/RenderDialog.h"
#include "ui/RenderResultsTable.h"

#include "core/demo/DemoFolder.h"
#include "core/model/DeliverableSpec.h"
#include "core/model/SessionSource.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTableWidgetItem>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

#include <set>

using lathe::ui::RenderDialog;

namespace {

struct Demo {
    QTemporaryDir dir;
    lathe::core::Session session;
    QString out;
};

std::unique_ptr<Demo> makeDemo(double seconds) {
    auto demo = std::make_unique<Demo>();
    EXPECT_TRUE(demo->dir.isValid());
    lathe::core::DemoOptions options;
    options.seconds = seconds;
    options.songName = "Test Song";
    const auto result =
        lathe::core::writeDemoFolder(demo->dir.filePath(QStringLiteral("client")).toStdString(), options);
    demo->session = lathe::core::openSessionOrFolder(result.folder);
    demo->out = demo->dir.filePath(QStringLiteral("masters"));
    return demo;
}

// Names a finished render leaves: masters, MP3s and the report (temporary files have other names).
std::set<QString> finalNamedFiles(const QString& folder) {
    std::set<QString> names;
    for (const QString& name : QDir(folder).entryList(QDir::Files)) {
        if (name.endsWith(QStringLiteral("_master.wav")) || name.endsWith(QStringLiteral("_master.mp3")) ||
            name == QStringLiteral("report.json"))
            names.insert(name);
    }
    return names;
}

} // namespace

TEST(RenderDialog, RendersTheDemoFolderWithProgressAndShowsTheReport) {
    auto demo = makeDemo(7.0);
    RenderDialog dialog(demo->session);
    dialog.setOutputFolder(demo->out);
    dialog.setMode(QStringLiteral("both"));
    dialog.setTargetLufs(-14.0);
    dialog.setCeilingDbtp(-1.0);
    dialog.setMp3(false);
    EXPECT_EQ(dialog.configuredSession().output.mode, "both");
    EXPECT_EQ(dialog.configuredSession().output.mp3, false);

    std::vector<int> values;
    QObject::connect(dialog.progressBar(), &QProgressBar::valueChanged, [&](int v) { values.push_back(v); });
    QSignalSpy finished(&dialog, &RenderDialog::finished);
    dialog.startRender();
    EXPECT_TRUE(dialog.isRendering());
    ASSERT_TRUE(finished.wait(240000));
    ASSERT_EQ(finished.count(), 1);
    ASSERT_TRUE(finished.at(0).at(0).toBool()) << dialog.errorMessage().toStdString();
    EXPECT_FALSE(dialog.isRendering());

    EXPECT_EQ(dialog.progressValue(), 100);
    ASSERT_FALSE(values.empty());
    EXPECT_GE(values.size(), 3u) << "progress should arrive in steps, not only at the end";
    for (std::size_t i = 1; i < values.size(); ++i)
        EXPECT_GE(values[i], values[i - 1]);

    const auto files = finalNamedFiles(demo->out);
    const QString song = QString::fromStdString(demo->session.song);
    EXPECT_TRUE(files.count(song + QStringLiteral("_stereo_master.wav"))) << song.toStdString();
    EXPECT_TRUE(files.count(song + QStringLiteral("_stem_master.wav")));
    EXPECT_TRUE(files.count(QStringLiteral("report.json")));

    ASSERT_TRUE(dialog.report().has_value());
    ASSERT_EQ(dialog.report()->deliverables.size(), 2u);
    const QString text = dialog.reportText();
    for (const auto& d : dialog.report()->deliverables) {
        EXPECT_TRUE(QFileInfo::exists(QString::fromStdString(d.wavPath)));
        EXPECT_TRUE(text.contains(QFileInfo(QString::fromStdString(d.wavPath)).fileName()));
        EXPECT_TRUE(text.contains(QString::number(d.integratedLufs, 'f', 1) + QStringLiteral(" LUFS")))
            << text.toStdString();
        EXPECT_TRUE(text.contains(QString::number(d.truePeakDbtp, 'f', 1) + QStringLiteral(" dBTP")));
        EXPECT_NEAR(d.integratedLufs, -14.0, 0.5);
    }
    dialog.grab();
}

TEST(RenderDialog, CancelMidRenderLeavesNoFileUnderAFinalName) {
    auto demo = makeDemo(8.0);
    RenderDialog dialog(demo->session);
    dialog.setOutputFolder(demo->out);
    dialog.setMode(QStringLiteral("both"));
    dialog.setMp3(false);
    QSignalSpy finished(&dialog, &RenderDialog::finished);
    dialog.startRender();
    // Cancel once the render is visibly under way but far from done.
    for (int i = 0; i < 24000 && dialog.progressValue() < 3 && finished.isEmpty(); ++i)
        QTest::qWait(5);
    ASSERT_TRUE(finished.isEmpty()) << "the render finished before it could be cancelled";
    EXPECT_LT(dialog.progressValue(), 100);
    dialog.cancelRender();
    ASSERT_TRUE(finished.wait(120000));
    EXPECT_FALSE(finished.at(0).at(0).toBool());
    EXPECT_TRUE(dialog.wasCancelled());
    EXPECT_FALSE(dialog.report().has_value());
    EXPECT_TRUE(finalNamedFiles(demo->out).empty());
    EXPECT_FALSE(dialog.isRendering());
}

TEST(RenderDialog, OutputInsideTheClientFolderIsRefusedWithAMessageNamingIt) {
    auto demo = makeDemo(5.0);
    RenderDialog dialog(demo->session);
    const QString inside = QDir(QString::fromStdString(demo->session.folder)).filePath(QStringLiteral("out"));
    dialog.setOutputFolder(inside);
    QSignalSpy finished(&dialog, &RenderDialog::finished);
    dialog.startRender();
    ASSERT_EQ(finished.count(), 1);
    EXPECT_FALSE(finished.at(0).at(0).toBool());
    EXPECT_TRUE(dialog.errorMessage().contains(QStringLiteral("out"))) << dialog.errorMessage().toStdString();
    EXPECT_FALSE(QFileInfo::exists(inside));
}

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

TEST(RenderDialog, APresetRendersItsDeliverableSet) {
    auto demo = makeDemo(5.0);
    RenderDialog dialog(demo->session);
    dialog.setOutputFolder(demo->out);
    dialog.setMode(QStringLiteral("stereo"));
    EXPECT_TRUE(dialog.configuredSession().output.deliverables.empty()) << "the session's own set by default";
    dialog.setPreset(QStringLiteral("cd"));
    const auto set = dialog.configuredSession().output.deliverables;
    ASSERT_EQ(set, *lathe::core::deliverablePreset("cd"));

    QSignalSpy finished(&dialog, &RenderDialog::finished);
    dialog.startRender();
    ASSERT_TRUE(finished.wait(240000));
    ASSERT_TRUE(finished.at(0).at(0).toBool()) << dialog.errorMessage().toStdString();
    ASSERT_EQ(dialog.report()->deliverables.size(), 1u);
    const auto& files = dialog.report()->deliverables[0].files;
    ASSERT_EQ(files.size(), 2u);
    for (const auto& f : files) {
        EXPECT_EQ(f.sampleRate, 44100);
        EXPECT_EQ(f.bitDepth, 16);
        EXPECT_TRUE(QFileInfo::exists(QString::fromStdString(f.path)));
        EXPECT_TRUE(dialog.reportText().contains(QFileInfo(QString::fromStdString(f.path)).fileName()));
    }
    EXPECT_TRUE(dialog.reportText().contains(QStringLiteral("Streaming normalization")));
}

TEST(RenderDialog, TheResultsTableNeverWrapsAFileNameItElidesItsStart) {
    // A long song name at the dialog's narrowest: each master keeps one line, its name elided at the start
    // (the song is every row's; the "_stereo_master.wav" / "_stem_master.wav" ending tells them apart) with
    // the full path as its tooltip, and every figure column shows whole. The report used to be an HTML table
    // that wrapped the names.
    auto demo = makeDemo(5.0);
    RenderDialog dialog(demo->session);
    dialog.resize(dialog.minimumWidth(), 700);
    dialog.show();
    lathe::core::RenderReport report;
    report.song = "A Very Long Song Title From The Client (Extended Club Version)";
    for (const char* kind : {"stereo_master", "stem_master"}) {
        lathe::core::DeliverableReport d;
        d.kind = kind;
        d.wavPath = "/masters/" + report.song + "_" + kind + ".wav";
        d.integratedLufs = -14.04;
        d.loudnessRangeLu = 6.2;
        d.truePeakDbtp = -1.02;
        d.plrDb = 13.0;
        d.maxGainReductionDb = 3.4;
        d.mp3TruePeakDbtp = -0.8;
        d.meetsTarget = d.withinCeiling = true;
        report.deliverables.push_back(d);
    }
    auto* table = dialog.resultsTable();
    table->setReport(report);
    table->show();
    QApplication::processEvents();
    ASSERT_EQ(table->rowCount(), 2);
    EXPECT_FALSE(table->wordWrap());
    EXPECT_EQ(table->textElideMode(), Qt::ElideLeft);
    const QFontMetrics fm(table->font());
    int columns = 0;
    for (int c = 0; c < table->columnCount(); ++c)
        columns += table->columnWidth(c);
    EXPECT_LE(columns, table->viewport()->width()) << "the table scrolls sideways";
    for (int row = 0; row < 2; ++row) {
        QTableWidgetItem* file = table->item(row, lathe::ui::RenderResultsTable::File);
        const std::string name = file->text().toStdString();
        std::printf("row %d: %d px high (a line is %d px), name needs %d px in a %d px column\n", row,
                    table->rowHeight(row), fm.lineSpacing(), fm.horizontalAdvance(file->text()),
                    table->columnWidth(0));
        EXPECT_EQ(table->rowHeight(row), table->verticalHeader()->defaultSectionSize()) << name;
        EXPECT_GE(table->columnWidth(0), fm.horizontalAdvance(QStringLiteral("\u2026_stereo_master.wav")) + 8)
            << "the ending that tells the masters apart shows";
        EXPECT_TRUE(table->visualItemRect(file).intersects(table->viewport()->rect()));
        EXPECT_TRUE(file->toolTip().endsWith(QString::fromStdString(report.deliverables[row].wavPath).mid(1)))
            << file->toolTip().toStdString();
        EXPECT_GT(fm.horizontalAdvance(file->text()), table->columnWidth(0))
            << "this case is meant to be too long for the column: it must be elided, not wrapped";
        for (int c = 1; c < table->columnCount(); ++c) {
            const QString figure = table->item(row, c)->text();
            EXPECT_GE(table->columnWidth(c), fm.horizontalAdvance(figure)) << figure.toStdString() << " cut";
        }
    }
    EXPECT_EQ(table->item(0, lathe::ui::RenderResultsTable::Lufs)->text(), QStringLiteral("-14.0 LUFS"));
    EXPECT_TRUE(dialog.reportText().contains(QStringLiteral("(Extended Club Version)_stem_master.wav")));
    EXPECT_EQ(table->visualItemRect(table->item(1, 0)).bottom() < table->height(), true)
        << "every row shows without scrolling";
}
