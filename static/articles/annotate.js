// The "Annotate the body" panel on an article's admin change page: select words
// in the stored body, then add a note or a quote through the JSON API.
//
// Offsets sent to the server count Unicode code points of the stored body, as
// Python's str does; the DOM counts UTF-16 units, so the two are converted here.
(function () {
  "use strict";

  var panel = document.getElementById("annotate");
  var configNode = document.getElementById("annotate-config");
  if (!panel || !configNode) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var bodyEl = document.getElementById("annotate-body");
  var bodyText = bodyEl.textContent;
  var startInput = document.getElementById("annotate-start");
  var endInput = document.getElementById("annotate-end");
  var exactEl = document.getElementById("annotate-exact");
  var statusEl = document.getElementById("annotate-status");
  var listEl = document.getElementById("annotate-list");
  var noteForm = document.getElementById("annotate-note-form");
  var quoteForm = document.getElementById("annotate-quote-form");
  var csrfInput = panel.querySelector("input[name=csrfmiddlewaretoken]");
  var passages = config.passages.slice();

  // unitsAt[i] is the UTF-16 index of code point i; one more entry for the end.
  var unitsAt = [];
  (function () {
    var units = 0;
    Array.from(bodyText).forEach(function (ch) {
      unitsAt.push(units);
      units += ch.length;
    });
    unitsAt.push(units);
  })();

  function pointFromUnits(units) {
    var low = 0;
    var high = unitsAt.length - 1;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (unitsAt[mid] < units) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  function textBetween(start, end) {
    return bodyText.slice(unitsAt[start], unitsAt[end]);
  }

  function validSpan(start, end) {
    return (
      Number.isInteger(start) &&
      Number.isInteger(end) &&
      start >= 0 &&
      start < end &&
      end < unitsAt.length
    );
  }

  function say(message, isError) {
    statusEl.textContent = message;
    statusEl.classList.toggle("errornote", Boolean(isError));
    statusEl.classList.toggle("success", !isError);
  }

  // Selection -> offsets -------------------------------------------------------

  function unitsBefore(container, offset) {
    var range = document.createRange();
    range.selectNodeContents(bodyEl);
    range.setEnd(container, offset);
    return range.toString().length;
  }

  function currentSpan() {
    return {
      start: parseInt(startInput.value, 10),
      end: parseInt(endInput.value, 10),
    };
  }

  function showSpan() {
    var span = currentSpan();
    if (validSpan(span.start, span.end)) {
      exactEl.textContent = textBetween(span.start, span.end);
    } else {
      exactEl.textContent = "";
    }
  }

  function setSpan(start, end) {
    // The server strips the passage's words, so leave surrounding space out.
    while (start < end && /\s/.test(textBetween(start, start + 1))) {
      start += 1;
    }
    while (end > start && /\s/.test(textBetween(end - 1, end))) {
      end -= 1;
    }
    if (start >= end) {
      return;
    }
    startInput.value = start;
    endInput.value = end;
    showSpan();
  }

  document.addEventListener("selectionchange", function () {
    var selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return;
    }
    var range = selection.getRangeAt(0);
    if (
      !bodyEl.contains(range.startContainer) ||
      !bodyEl.contains(range.endContainer)
    ) {
      return;
    }
    var start = pointFromUnits(unitsBefore(range.startContainer, range.startOffset));
    var end = pointFromUnits(unitsBefore(range.endContainer, range.endOffset));
    setSpan(start, end);
  });
  startInput.addEventListener("input", showSpan);
  endInput.addEventListener("input", showSpan);

  // Highlights and the list ----------------------------------------------------

  function renderBody() {
    var cuts = [0, unitsAt.length - 1];
    passages.forEach(function (p) {
      cuts.push(p.start, p.end);
    });
    cuts = Array.from(new Set(cuts)).sort(function (a, b) {
      return a - b;
    });
    var fragment = document.createDocumentFragment();
    for (var i = 0; i + 1 < cuts.length; i += 1) {
      var from = cuts[i];
      var to = cuts[i + 1];
      var text = document.createTextNode(textBetween(from, to));
      var covering = passages.filter(function (p) {
        return p.start <= from && to <= p.end;
      });
      if (covering.length) {
        var mark = document.createElement("mark");
        mark.className = covering
          .map(function (p) {
            return "annotate-" + p.kind;
          })
          .join(" ");
        mark.appendChild(text);
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(text);
      }
    }
    bodyEl.replaceChildren(fragment);
  }

  function describe(p) {
    if (p.kind === "quote") {
      return "Quote, " + p.speaker + ": “" + p.text + "”";
    }
    var visibility = p.visibility === "public" ? "public" : "internal";
    return "Note (" + visibility + ") on “" + p.text + "”: " + p.note;
  }

  function renderList() {
    var items = passages
      .slice()
      .sort(function (a, b) {
        return a.start - b.start || a.end - b.end;
      })
      .map(function (p) {
        var item = document.createElement("li");
        item.id = "annotate-" + p.kind + "-" + p.id;
        item.className = "annotate-" + p.kind;
        item.textContent = describe(p) + " (" + p.start + "–" + p.end + ")";
        return item;
      });
    listEl.replaceChildren.apply(listEl, items);
    if (!items.length) {
      var empty = document.createElement("li");
      empty.textContent = "No passages annotated yet.";
      listEl.appendChild(empty);
    }
  }

  // Writing through the API ----------------------------------------------------

  function errorMessage(data, response) {
    var error = data && data.error;
    if (error && error.fields) {
      return Object.keys(error.fields)
        .map(function (name) {
          var prefix = name === "non_field_errors" ? "" : name + ": ";
          return prefix + error.fields[name].join(" ");
        })
        .join(" ");
    }
    if (error && error.message) {
      return error.message;
    }
    return "The server refused the request (" + response.status + ").";
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfInput.value,
      },
      body: JSON.stringify(payload),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          if (!response.ok) {
            throw new Error(errorMessage(data, response));
          }
          return data;
        });
    });
  }

  function spanOrComplain() {
    var span = currentSpan();
    if (!validSpan(span.start, span.end)) {
      say("Select some words in the body first (or give start and end).", true);
      return null;
    }
    span.text = textBetween(span.start, span.end);
    return span;
  }

  function added(item, message) {
    passages.push(item);
    renderBody();
    renderList();
    say(message, false);
  }

  if (noteForm) {
    noteForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var span = spanOrComplain();
      if (!span) {
        return;
      }
      var note = noteForm.elements.note.value.trim();
      var visibility = noteForm.elements.visibility.value;
      var button = noteForm.querySelector("button[type=submit]");
      button.disabled = true;
      say("Saving the note…", false);
      post(config.annotationsUrl, {
        article: config.article,
        note: note,
        exact: span.text,
        start: span.start,
        end: span.end,
        visibility: visibility,
      })
        .then(function (data) {
          noteForm.elements.note.value = "";
          added(
            {
              kind: "note",
              id: data.id,
              start: data.start,
              end: data.end,
              text: data.exact,
              note: data.note,
              visibility: data.visibility,
            },
            "Note added (" + data.visibility + ").",
          );
        })
        .catch(function (error) {
          say("Note not added: " + error.message, true);
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  }

  // Speaker combobox -----------------------------------------------------------

  if (quoteForm) {
    var speakerInput = document.getElementById("annotate-speaker");
    var listbox = document.getElementById("annotate-speaker-list");
    var options = [];
    var active = -1;
    var chosen = null;
    var timer = null;
    var asked = 0;

    var closeList = function () {
      listbox.hidden = true;
      speakerInput.setAttribute("aria-expanded", "false");
      speakerInput.removeAttribute("aria-activedescendant");
      active = -1;
    };

    var setActive = function (index) {
      active = index;
      Array.from(listbox.children).forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        speakerInput.setAttribute(
          "aria-activedescendant",
          listbox.children[index].id,
        );
      } else {
        speakerInput.removeAttribute("aria-activedescendant");
      }
    };

    var choose = function (index) {
      chosen = options[index];
      speakerInput.value = chosen.text;
      closeList();
    };

    var showOptions = function (results) {
      options = results;
      listbox.replaceChildren.apply(
        listbox,
        results.map(function (result, index) {
          var option = document.createElement("li");
          option.id = "annotate-speaker-" + index;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.textContent = result.text;
          option.addEventListener("mousedown", function (event) {
            event.preventDefault();
          });
          option.addEventListener("click", function () {
            choose(index);
          });
          return option;
        }),
      );
      if (results.length) {
        listbox.hidden = false;
        speakerInput.setAttribute("aria-expanded", "true");
      } else {
        closeList();
        say("No person matches “" + speakerInput.value + "”.", true);
      }
    };

    var search = function () {
      var term = speakerInput.value.trim();
      if (!term) {
        closeList();
        return;
      }
      var query = new URLSearchParams({
        app_label: "articles",
        model_name: "quote",
        field_name: "speaker",
        term: term,
      });
      var ticket = ++asked;
      fetch(config.speakersUrl + "?" + query, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("People could not be searched (" + response.status + ").");
          }
          return response.json();
        })
        .then(function (data) {
          if (ticket === asked) {
            showOptions(data.results);
          }
        })
        .catch(function (error) {
          say(error.message, true);
        });
    };

    speakerInput.addEventListener("input", function () {
      chosen = null;
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    speakerInput.addEventListener("keydown", function (event) {
      var open = !listbox.hidden && options.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) {
          setActive((active + 1) % options.length);
        } else {
          search();
        }
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        setActive((active - 1 + options.length) % options.length);
      } else if (event.key === "Enter" && open) {
        event.preventDefault();
        choose(active >= 0 ? active : 0);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        closeList();
      }
    });
    speakerInput.addEventListener("blur", closeList);

    quoteForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var span = spanOrComplain();
      if (!span) {
        return;
      }
      if (!chosen) {
        say("Choose the speaker from the list of people.", true);
        speakerInput.focus();
        return;
      }
      var button = quoteForm.querySelector("button[type=submit]");
      button.disabled = true;
      say("Saving the quote…", false);
      post(config.quotesUrl, {
        article: config.article,
        speaker: chosen.slug,
        text: span.text,
        start: span.start,
        end: span.end,
      })
        .then(function (data) {
          added(
            {
              kind: "quote",
              id: data.id,
              start: data.start,
              end: data.end,
              text: data.text,
              speaker: data.speaker_name,
            },
            "Quote by " + data.speaker_name + " added.",
          );
        })
        .catch(function (error) {
          say("Quote not added: " + error.message, true);
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  }

  renderBody();
  renderList();
})();
