// Birth-place look-up of the traits form: as the desk types a commune or a country, the list offers the places of the
// shipped COG data as "Name (INSEE code)". Without JavaScript the server reads the name typed (or the code) alike.
(function () {
    var input = document.getElementById("birthPlaceCode");
    if (!input) { return; }
    var list = document.createElement("datalist");
    list.id = "lieux-naissance";
    input.setAttribute("list", list.id);
    input.parentNode.appendChild(list);
    var last = "", timer = null;
    input.addEventListener("input", function () {
        var text = input.value.trim();
        if (text.length < 2 || text === last || /\(\w{5}\)$/.test(text)) { return; }
        last = text;
        clearTimeout(timer);
        timer = setTimeout(function () {
            fetch("/identites/nouvelle?handler=Places&q=" + encodeURIComponent(text), { credentials: "same-origin" })
                .then(function (r) { return r.ok ? r.json() : []; })
                .then(function (places) {
                    list.innerHTML = "";
                    places.forEach(function (p) {
                        var option = document.createElement("option");
                        option.value = p.label;
                        list.appendChild(option);
                    });
                })
                .catch(function () { });
        }, 150);
    });
})();
