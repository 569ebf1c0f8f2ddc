#include "MainWindow.h"

#include "CompareBar.h"
#include "EngineController.h"
#include "SessionDocument.h"
#include "ShortcutsOverlay.h"

#include "core/Version.h"

#include <QAction>
#include <QDockWidget>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QUndoStack>

namespace lathe::ui {

void MainWindow::buildActions() {
    auto add = [this](QMenu* menu, const QString& text, const QKeySequence& key, auto slot) {
        auto* action = new QAction(text, this);
        if (!key.isEmpty()) action->setShortcut(key);
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, slot);
        if (menu) menu->addAction(action);
        addAction(action); // shortcuts work even while the menu bar is hidden
        return action;
    };

    QMenu* file = menuBar()->addMenu(tr("&File"));
    add(file, tr("Open &Folder…"), QKeySequence(Qt::CTRL | Qt::Key_O), [this] { openFolderDialog(); });
    add(file, tr("Open &Session…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
        [this] { openSessionDialog(); });
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addSeparator();
    documentActions_ << add(file, tr("&Save"), QKeySequence::Save, [this] { save(); });
    documentActions_ << add(file, tr("Save &As…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S),
                            [this] { saveAs(); });
    file->addSeparator();
    documentActions_ << add(file, tr("&Render…"), QKeySequence(Qt::CTRL | Qt::Key_R),
                            [this] { showRenderDialog(); });
    add(file, tr("&Batch Queue…"), QKeySequence(Qt::CTRL | Qt::Key_B), [this] { showBatchWindow(); });
    add(file, tr("A&lbum…"), QKeySequence(), [this] { showAlbumWindow(); });
    file->addSeparator();
    add(file, tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), [this] { close(); });

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = document_->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = document_->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    edit->addAction(undo);
    edit->addAction(redo);
    addAction(undo);
    addAction(redo);

    QMenu* playback = menuBar()->addMenu(tr("&Playback"));
    add(playback, tr("Play / Stop"), QKeySequence(Qt::Key_Space), [this] { engine_->togglePlay(); });
    add(playback, tr("Return to Start"), QKeySequence(Qt::Key_Home), [this] { engine_->returnToStart(); });
    add(playback, tr("Loop"), QKeySequence(Qt::Key_L),
        [this] { engine_->setLoopEnabled(!engine_->loopEnabled()); });
    add(playback, tr("Back 5 Seconds"), QKeySequence(Qt::CTRL | Qt::Key_Left), [this] { nudge(-5.0); });
    add(playback, tr("Forward 5 Seconds"), QKeySequence(Qt::CTRL | Qt::Key_Right), [this] { nudge(5.0); });
    // The loop's ends are the markers: set them by dragging on the waveform, jump to them from the keys.
    add(playback, tr("Jump to Loop Start"), QKeySequence(Qt::Key_BracketLeft), [this] {
        if (engine_->loopEnd() > engine_->loopStart()) engine_->seek(engine_->loopStart());
    });
    add(playback, tr("Jump to Loop End"), QKeySequence(Qt::Key_BracketRight), [this] {
        if (engine_->loopEnd() > engine_->loopStart()) engine_->seek(engine_->loopEnd());
    });
    playback->addSeparator();
    for (int i = 0; i < core::kMonitorSourceCount; ++i) {
        const auto source = static_cast<core::MonitorSource>(i);
        add(playback, CompareBar::sourceTitle(source), QKeySequence(Qt::Key_1 + i), [this, source] {
            if (engine_->sourceAvailable(source)) selectSource(source);
        });
    }
    add(playback, tr("Loudness Match"), QKeySequence(Qt::Key_M), [this] {
        const bool on = !compare_->loudnessMatch();
        compare_->setLoudnessMatch(on);
        engine_->setLoudnessMatch(on);
        refreshMonitorGain();
    });
    add(playback, tr("Next Playback System"), QKeySequence(Qt::Key_P), [this] {
        const auto next = static_cast<dsp::PlaybackSystem>(
            (static_cast<int>(compare_->playbackSystem()) + 1) % dsp::kPlaybackSystemCount);
        compare_->setPlaybackSystem(next);
        engine_->setPlaybackSimulation(next);
        statusText_->setText(tr("Listening on: %1").arg(CompareBar::playbackSystemTitle(next)));
    });
    playback->addSeparator();
    add(playback, tr("Audio Settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma),
        [this] { showAudioSettings(); });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    add(view, tr("Files"), QKeySequence(Qt::Key_F2), [this] {
        filesDock_->show();
        filesDock_->raise();
    });
    add(view, tr("Meters"), QKeySequence(Qt::Key_F3), [this] {
        metersDock_->show();
        metersDock_->raise();
    });
    add(view, tr("Stems"), QKeySequence(Qt::CTRL | Qt::Key_1), [this] { showStripsPane(); });
    add(view, tr("Master Section"), QKeySequence(Qt::CTRL | Qt::Key_2), [this] { showMasterPane(); });
    add(view, tr("Stem tools"), QKeySequence(Qt::Key_F4),
        [this] { stemToolsDock_->setVisible(!stemToolsDock_->isVisible()); });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    add(help, tr("Keyboard Shortcuts"), QKeySequence(Qt::Key_F1), [this] { overlay_->toggle(); });
    add(nullptr, QString(), QKeySequence(Qt::Key_Question), [this] { overlay_->toggle(); });
    add(help, tr("About Lathe"), QKeySequence(), [this] {
        QMessageBox::about(this, tr("About Lathe"),
                           tr("Lathe %1 — a mastering workstation.").arg(QString::fromUtf8(core::version())));
    });

    overlay_->setShortcuts({
        {tr("Space"), tr("Play / stop")},
        {tr("Home"), tr("Return to start (or loop start)")},
        {tr("L"), tr("Loop on / off (drag on the waveform to set it)")},
        {tr("1 … 6"), tr("Mix · stereo master · stem master · reference · delta · codec")},
        {tr("M"), tr("Loudness match on / off")},
        {tr("P"), tr("Listen on the next playback system")},
        {tr("Ctrl+Left / Ctrl+Right"), tr("Back / forward 5 seconds")},
        {tr("[ / ]"), tr("Jump to loop start / end")},
        {tr("Click waveform"), tr("Seek (drag: set the loop)")},
        {tr("Wheel · double-click"), tr("Any control: step it · back to its default")},
        {tr("Shift+drag"), tr("Fine adjustment of a fader or slider")},
        {tr("Ctrl+Z"), tr("Undo")},
        {tr("Ctrl+Shift+Z / Ctrl+Y"), tr("Redo")},
        {tr("Ctrl+O / Ctrl+Shift+O"), tr("Open folder / session")},
        {tr("Ctrl+S / Ctrl+Shift+S"), tr("Save / save as")},
        {tr("Ctrl+R"), tr("Render")},
        {tr("Ctrl+B"), tr("Batch queue: many folders / sessions at once")},
        {tr("Ctrl+,"), tr("Audio settings")},
        {tr("F2 / F3"), tr("Files / meters panel")},
        {tr("Ctrl+1 / Ctrl+2"), tr("Stems / master section (tabs on a narrow window)")},
        {tr("F4"), tr("Stem tools (dynamic EQ, sidechain, peak control) on / off")},
        {tr("F1 or ?"), tr("This help")},
        {tr("Ctrl+Q"), tr("Quit")},
    });
    for (QAction* a : documentActions_)
        a->setEnabled(false);
}

} // namespace lathe::ui
