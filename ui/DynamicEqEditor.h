#pragma once

#include <QWidget>

#include <vector>

class QGridLayout;
class QPushButton;

namespace lathe::ui {

class GainReductionMeter;
class SessionDocument;

// The dynamic EQ bands of one stem or of the master: a row of controls per band (on, shape, frequency, Q,
// threshold, ratio, attack, release, range, mode, channel, listen and, on a stem, the sidechain key: "self"
// or another stem), each bound to the session (undoable), with the band's live gain beside it; Add band /
// Remove band change the list. Rows are rebuilt when the band count or the stems change.
class DynamicEqEditor : public QWidget {
    Q_OBJECT
public:
    explicit DynamicEqEditor(SessionDocument* document, QWidget* parent = nullptr);

    // -1 = the master.
    void setStem(int stem);
    int stem() const { return stem_; }
    int rowCount() const { return static_cast<int>(meters_.size()); }
    QPushButton* addButton() const { return add_; }
    QPushButton* removeButton() const { return remove_; }
    // The control named `name` ("frequency", "threshold", "key", ...) of band `band`, for tests.
    QWidget* control(int band, const QString& name) const;

    // The bands' gains as metered (dB, negative = cut), in band order; shown as reduction or boost.
    void setBandGainsDb(const float* gainsDb, int count);
    double shownGainDb(int band) const;

private:
    void rebuild();
    QString shapeSignature() const;

    SessionDocument* document_;
    int stem_ = -1;
    QGridLayout* grid_ = nullptr;
    QWidget* rows_ = nullptr;
    QPushButton* add_ = nullptr;
    QPushButton* remove_ = nullptr;
    std::vector<GainReductionMeter*> meters_;
    std::vector<double> shown_;
    QString built_; // what the rows were built for: target, band count, stem ids
};

} // namespace lathe::ui
