#pragma once

#include "core/batch/Album.h"

#include <QStringList>
#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace lathe::ui {

// The album view: the songs of a release in order (client folders or sessions; reorder with the buttons),
// each one's loudness as mixed beside the album target it gets (the loudest at the target, the others keeping
// their distance) and, after the render, beside what its master measured. Measuring and rendering run
// core::measureSongLoudness / core::renderAlbum (what `lathe-cli album` runs) on a worker thread.
class AlbumWindow : public QWidget {
    Q_OBJECT
public:
    explicit AlbumWindow(QWidget* parent = nullptr);
    ~AlbumWindow() override; // cancels and joins a running job

    void addSongs(const QStringList& paths); // folders and .lathe files; duplicates ignored
    QStringList songs() const { return songs_; }
    void moveSong(int from, int to);
    void setTitle(const QString& title);
    void setOutputFolder(const QString& folder);
    void setTargetLufs(double lufs);
    void setGapSeconds(double seconds);

    bool isBusy() const { return busy_; }
    // Per song, in order: loudness as mixed and the album target (after measure() or a render).
    const std::vector<double>& songLufs() const { return songLufs_; }
    const std::optional<core::AlbumReport>& report() const { return report_; }
    QString errorMessage() const { return error_; }
    QString cell(int row, int column) const; // the table as shown

public slots:
    void measure();
    void render();
    void cancel();

signals:
    void measured(bool ok);
    void rendered(bool ok);

private:
    core::AlbumManifest manifest() const;
    core::RenderOverrides overrides() const;
    void refreshTable();
    void setBusy(bool busy);
    void finishJob(bool render, std::vector<double> lufs, std::shared_ptr<core::AlbumReport> report,
                   const QString& error);

    QStringList songs_;
    std::vector<double> songLufs_;
    std::optional<core::AlbumReport> report_;
    QString error_;
    bool busy_ = false;
    std::atomic<bool> cancelFlag_{false};
    std::thread worker_;

    QTableWidget* table_ = nullptr;
    QLineEdit* title_ = nullptr;
    QLineEdit* folder_ = nullptr;
    QDoubleSpinBox* target_ = nullptr;
    QDoubleSpinBox* gap_ = nullptr;
    QPushButton* add_ = nullptr;
    QPushButton* up_ = nullptr;
    QPushButton* down_ = nullptr;
    QPushButton* measure_ = nullptr;
    QPushButton* render_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
};

} // namespace lathe::ui
