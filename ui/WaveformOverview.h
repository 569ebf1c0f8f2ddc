#pragma once

#include <QString>
#include <QWidget>

#include <memory>
#include <vector>

namespace lathe::ui {

// Min/max peaks of a whole file in kBuckets equal slices (all channels folded together).
struct WaveformPeaks {
    static constexpr int kBuckets = 2048;
    qint64 totalFrames = 0;
    int sampleRate = 0;
    std::vector<float> minima; // kBuckets values (fewer when the file has fewer frames)
    std::vector<float> maxima;
};

// Overview of the current source file. setFile() returns at once: the peaks are computed on a worker thread
// (core::AudioFileReader) and the widget repaints when they arrive (overviewReady), so the window stays
// usable. Click seeks (seekRequested), drag selects a loop (loopRequested); the play head and loop are set
// from outside (the transport owns them). With DragSelects::MatchRange a drag picks the part of a reference
// to match to instead (matchRangeRequested); the match range is drawn whenever one is set (setMatchRange).
class WaveformOverview : public QWidget {
    Q_OBJECT
public:
    enum class DragSelects { Loop, MatchRange };

    explicit WaveformOverview(QWidget* parent = nullptr);
    ~WaveformOverview() override;

    void setFile(const QString& path); // empty clears
    QString file() const { return path_; }
    bool isReady() const { return ready_; }
    const WaveformPeaks& peaks() const { return peaks_; }
    QString errorMessage() const { return error_; }

    void setPlayheadFrame(qint64 frame);
    qint64 playheadFrame() const { return playhead_; }
    void setLoopRegion(qint64 startFrame, qint64 endFrame); // end <= start clears
    void clearLoopRegion();
    qint64 loopStart() const { return loopStart_; }
    qint64 loopEnd() const { return loopEnd_; }

    void setDragSelects(DragSelects what) { dragSelects_ = what; }
    DragSelects dragSelects() const { return dragSelects_; }
    // The part of the file a match follows (issue 18), in seconds of the file; end 0 = to its end. Both 0
    // (the whole file) draws nothing.
    void setMatchRange(double startSeconds, double endSeconds);
    double matchRangeStart() const { return matchStart_; }
    double matchRangeEnd() const { return matchEnd_; }

    // Mapping between widget x (logical pixels) and file frames.
    qint64 frameAtX(double x) const;
    double xForFrame(qint64 frame) const;

    // Computes the peaks synchronously (what the worker runs). Throws core::Error naming the file.
    static WaveformPeaks computePeaks(const QString& path);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void overviewReady();
    void overviewFailed(const QString& message);
    void seekRequested(qint64 frame);
    void loopRequested(qint64 startFrame, qint64 endFrame);
    // A drag in MatchRange mode, in seconds of the file.
    void matchRangeRequested(double startSeconds, double endSeconds);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    struct Job;
    QString path_;
    WaveformPeaks peaks_;
    bool ready_ = false;
    QString error_;
    std::shared_ptr<Job> job_; // the running computation; a newer setFile() abandons it
    qint64 playhead_ = 0;
    qint64 loopStart_ = 0;
    qint64 loopEnd_ = 0;
    double pressX_ = -1.0;
    double dragX_ = -1.0;
    DragSelects dragSelects_ = DragSelects::Loop;
    double matchStart_ = 0.0;
    double matchEnd_ = 0.0;
};

} // namespace lathe::ui
