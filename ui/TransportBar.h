#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

namespace lathe::ui {

// Return to start, play/stop, loop, and the position as minutes:seconds.milliseconds of the total. The
// shortcuts (Space, Home, L) live on the main window's actions so they work wherever the focus is.
class TransportBar : public QWidget {
    Q_OBJECT
public:
    explicit TransportBar(QWidget* parent = nullptr);

    void setPlaying(bool playing);
    void setLoopEnabled(bool enabled);
    void setPosition(qint64 frame, qint64 lengthFrames, int sampleRate);
    void setReady(bool ready); // a session is loaded in the engine
    void setAudioStatus(const QString& text, bool available);

    QToolButton* playButton() const { return play_; }
    QToolButton* loopButton() const { return loop_; }
    QString positionText() const;

    static QString formatTime(double seconds); // "1:05.250"

signals:
    void playToggled();
    void returnToStartClicked();
    void loopToggled(bool enabled);

private:
    QToolButton* home_ = nullptr;
    QToolButton* play_ = nullptr;
    QToolButton* loop_ = nullptr;
    QLabel* position_ = nullptr;
    QLabel* audio_ = nullptr;
};

} // namespace lathe::ui
