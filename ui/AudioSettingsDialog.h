#pragma once

#include <QDialog>
#include <QString>

class QComboBox;
class QLabel;

namespace lathe::ui {

// Output device and buffer size, remembered with QSettings ("audio/device", "audio/bufferFrames").
class AudioSettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit AudioSettingsDialog(const QString& currentStatus, QWidget* parent = nullptr);

    QString deviceName() const; // "" = the system default
    int bufferFrames() const;
    // "System default" first, then every output device (item data: the device name). A remembered device
    // that is not connected now stays listed and chosen, marked so, rather than silently becoming the
    // default.
    QComboBox* deviceBox() const { return device_; }
    QComboBox* bufferBox() const { return buffer_; }

    static QString savedDevice();
    static int savedBufferFrames(); // 512 when never set
    static void save(const QString& device, int bufferFrames);

private:
    QComboBox* device_ = nullptr;
    QComboBox* buffer_ = nullptr;
};

} // namespace lathe::ui
