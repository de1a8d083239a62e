/*
 * The buttons of a resource's data field (CKAN's resource_upload_field snippet,
 * as we render it): choose a file to upload, give a link, clear an upload, or
 * remove what was chosen. CKAN wrote them as inline onclick handlers, which the
 * portal's Content-Security-Policy does not run; they are handled here by
 * delegation. Which part of the field shows follows the checked radio (CKAN's CSS).
 */
(function () {
  "use strict";

  function byId(id) {
    return document.getElementById(id);
  }

  var actions = {
    upload: function () {
      byId("resource-url-upload").checked = true;
      byId("field-resource-upload").click();
    },
    link: function () {
      byId("resource-url-link").checked = true;
      byId("field-resource-url").focus();
    },
    clear: function () {
      byId("field-clear-upload").checked = true;
      byId("field-resource-upload").focus();
    },
    remove: function (button) {
      byId("resource-url-none").checked = true;
      byId(button.dataset.clears).value = "";
      byId(button.dataset.focus).focus();
    },
  };

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-upload-field]");
    if (button) actions[button.dataset.uploadField](button);
  });
})();
