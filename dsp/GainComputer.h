#pragma once

namespace lathe::dsp {

// Static curve of a feed-forward compressor with a quadratic soft knee (Giannoulis, Massberg & Reiss,
// "Digital Dynamic Range Compressor Design - A Tutorial and Analysis", JAES 60(6), 2012, eq. 4). Returns the
// gain change in dB (<= 0) for a detector level inputLevelDb: 0 below threshold - knee/2, (1/ratio - 1)(x -
// threshold) above threshold + knee/2, and the quadratic that joins the two with matching slopes inside the
// knee. kneeDb = 0 is a hard knee. ratio < 1 is treated as 1; an infinite ratio is a limiter curve.
//
// Written as (1/ratio - 1) * (...) rather than the paper's T + (x - T)/R - x so that ratio 1 yields exactly
// 0.0, which keeps a 1:1 compressor bit-transparent. RT safe.
double compressorGainDb(double inputLevelDb, double thresholdDb, double ratio, double kneeDb);

} // namespace lathe::dsp
