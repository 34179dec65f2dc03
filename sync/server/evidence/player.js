// The console's player for MJPEG AVI evidence: browsers do not play MJPEG
// AVI, so each canvas.player draws the video's own JPEG frames, fetched
// one by one from the platform (…/frames/N), in time with the segment's
// sound in the <audio> beside it (data-sound), or by its own clock when
// the video has none. Nothing is transcoded: what shows is the evidence.
(function () {
  "use strict";
  function player(cv) {
    var count = +cv.dataset.count, fps = +cv.dataset.fps || 1;
    var base = cv.dataset.frames, query = cv.dataset.query || "";
    var sound = cv.dataset.sound ? document.getElementById(cv.dataset.sound) : null;
    var g = cv.getContext("2d"), wanted = -1, drawn = -1;
    function show(i) {
      i = Math.max(0, Math.min(count - 1, i));
      if (i === wanted) return;
      wanted = i;
      var img = new Image();
      img.onload = function () {
        if (wanted !== i) return; // a later frame was asked for meanwhile
        g.drawImage(img, 0, 0, cv.width, cv.height);
        drawn = i;
        cv.dataset.shown = String(drawn);
      };
      img.src = base + i + query;
    }
    function at(seconds) { return Math.floor(seconds * fps); }
    show(0);
    if (sound) {
      var tick = function () {
        show(at(sound.currentTime));
        if (!sound.paused && !sound.ended) requestAnimationFrame(tick);
      };
      sound.addEventListener("play", function () { requestAnimationFrame(tick); });
      sound.addEventListener("seeked", function () { show(at(sound.currentTime)); });
      return;
    }
    var button = document.querySelector('button.play[data-for="' + cv.parentNode.id + '"]');
    if (!button) return;
    var start = 0, running = false;
    button.addEventListener("click", function () {
      if (running) return;
      running = true;
      start = performance.now();
      var step = function (now) {
        var i = at((now - start) / 1000);
        show(i);
        if (i < count - 1) requestAnimationFrame(step); else running = false;
      };
      requestAnimationFrame(step);
    });
  }
  document.querySelectorAll("canvas.player").forEach(player);
})();
