#pragma once

#include <QList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;

namespace lathe::ui {

class CompressorPanel;
class GainReductionMeter;
class SessionDocument;

// The master's multiband compressor: how many bands (2 to 4), the crossover frequencies between them, and
// each band's on/off, threshold, ratio and gain-reduction meter (the rest of its settings behind "…"), laid
// out low to high so a split sits between the bands it divides. Every control edits the session through the
// document (undoable). A crossover that would no longer rise (e.g. 1 kHz below the 120 Hz one) is refused and
// the box returns to the session's value; each box's range is held between its neighbours.
class MultibandPanel : public QWidget {
    Q_OBJECT
public:
    explicit MultibandPanel(SessionDocument* document, QWidget* parent = nullptr);

    QComboBox* bandCountBox() const { return count_; }
    int bandCount() const { return static_cast<int>(thresholds_.size()); }
    QDoubleSpinBox* crossoverBox(int index) const { return crossovers_.value(index); }
    QDoubleSpinBox* thresholdBox(int band) const { return thresholds_.value(band); }
    QDoubleSpinBox* ratioBox(int band) const { return ratios_.value(band); }
    QCheckBox* bandEnabledBox(int band) const { return enabled_.value(band); }
    // Each band's gain-reduction meter, fed from the engine's meter frames, and every setting of the band
    // (knee, attack, release, makeup...) in the popup its "…" button opens.
    GainReductionMeter* bandMeter(int band) const { return meters_.value(band); }
    CompressorPanel* bandDetails(int band) const { return details_.value(band); }
    void setBandGainReductionDb(int band, double db);

    // Crossovers for a new band count: 2 bands split at 200 Hz, 3 at 150 Hz / 2.5 kHz (the default
    // session's), 4 at 120 Hz / 1 kHz / 5 kHz.
    static std::vector<double> defaultCrossovers(int bands);

private:
    void refresh();
    void rebuildRows(int bands);

    SessionDocument* document_;
    QComboBox* count_ = nullptr;
    QWidget* rows_ = nullptr;
    QList<QDoubleSpinBox*> crossovers_;
    QList<QDoubleSpinBox*> thresholds_;
    QList<QDoubleSpinBox*> ratios_;
    QList<QCheckBox*> enabled_;
    QList<GainReductionMeter*> meters_;
    QList<CompressorPanel*> details_;
};

} // namespace lathe::ui
