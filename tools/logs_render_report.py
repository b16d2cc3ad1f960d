#!/usr/bin/env python3
"""Writes the sample training report from the Swift test LoggingReportTests/writesASampleReport and screenshots it with
headless Chromium (`apt-get install -y chromium`), to look at the report as a user would.

    python3 tools/logs_render_report.py [--output /tmp/ernie-report.png] [--width 1200] [--height 1600]
"""
import argparse
import os
import subprocess
import tempfile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default="/tmp/ernie-report.png")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1600)
    parser.add_argument("--scratch-path", default=".build-dev")
    arguments = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="ernie-report-")
    subprocess.run(["swift", "test", "--scratch-path", arguments.scratch_path, "--filter",
                    "LoggingReportTests/writesASampleReport"], env=dict(os.environ, ERNIE_LOGS_REPORT_DIR=directory),
                   check=True, stdout=subprocess.DEVNULL)
    report = os.path.join(directory, "report.html")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--hide-scrollbars", f"--screenshot={arguments.output}",
                    f"--window-size={arguments.width},{arguments.height}", f"file://{report}"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"report: {report} ({os.path.getsize(report)} bytes)\nscreenshot: {arguments.output}")


if __name__ == "__main__":
    main()
