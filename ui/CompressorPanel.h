#pragma once

#include "core/model/Session.h"

#include <QList>
#include <QPair>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;

namespace lathe::ui {

class SessionDocument;

// Which compressor of the session a panel edits: a stem's, the master's or a multiband band's.
using CompressorField = std::function<core::CompressorSettings&(core::Session&)>;

// Every setting of one compressor (core/model/SESSION.md "Compressor"), each bound to the session through the
// document's undo stack: on/off, threshold, ratio, knee, attack, release, makeup, detection (peak / RMS),
// stereo link (shown in %) and the side-chain high-pass (0 = off).
class CompressorPanel : public QWidget {
    Q_OBJECT
public:
    // columns: 1 for a popup, 2 where height is short (the master column), settings paired side by side.
    CompressorPanel(SessionDocument* document, CompressorField field, const QString& owner, int columns = 1,
                    QWidget* parent = nullptr);

    QCheckBox* enabledBox() const { return enabled_; }
    QDoubleSpinBox* thresholdBox() const { return threshold_; }
    QDoubleSpinBox* ratioBox() const { return ratio_; }
    QDoubleSpinBox* kneeBox() const { return knee_; }
    QDoubleSpinBox* attackBox() const { return attack_; }
    QDoubleSpinBox* releaseBox() const { return release_; }
    QDoubleSpinBox* makeupBox() const { return makeup_; }
    QComboBox* detectionBox() const { return detection_; }
    QDoubleSpinBox* stereoLinkBox() const { return link_; } // percent
    QDoubleSpinBox* sidechainHpfBox() const { return sidechainHpf_; }

private:
    QCheckBox* enabled_ = nullptr;
    QDoubleSpinBox* threshold_ = nullptr;
    QDoubleSpinBox* ratio_ = nullptr;
    QDoubleSpinBox* knee_ = nullptr;
    QDoubleSpinBox* attack_ = nullptr;
    QDoubleSpinBox* release_ = nullptr;
    QDoubleSpinBox* makeup_ = nullptr;
    QComboBox* detection_ = nullptr;
    QDoubleSpinBox* link_ = nullptr;
    QDoubleSpinBox* sidechainHpf_ = nullptr;
};

// Lays out (label, control) pairs in a grid from firstRow on, `columns` pairs per row, left to right.
void addParameterRows(QGridLayout* grid, int firstRow, const QList<QPair<QString, QWidget*>>& rows,
                      int columns);

// A spin box as every panel uses it: no edit per keystroke (the value is taken on Enter or focus out), and
// accelerated stepping when an arrow is held.
QDoubleSpinBox* makeParameterSpin(double min, double max, double step, int decimals, const QString& suffix,
                                  QWidget* parent = nullptr);

} // namespace lathe::ui
