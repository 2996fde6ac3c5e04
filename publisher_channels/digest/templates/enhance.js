(function(){var d=document,de=d.documentElement;
try{d.styleSheets[0].insertRule("h3{text-wrap:balance}",0)}catch(x){}
function o(){var e=d.getElementById(decodeURIComponent(location.hash.slice(1)));if(e&&e.tagName=="ARTICLE"){e=e.querySelector("details");if(e)e.open=true}}
addEventListener("hashchange",o);if(location.hash)o();
addEventListener("beforeprint",function(){d.querySelectorAll("details").forEach(function(x){x.open=true})});
var sizes=[87.5,100,112.5,125,137.5],key="digest-size",i=1;try{i=+(localStorage.getItem(key)||1)}catch(x){}
function fs(){de.style.fontSize=sizes[i]+"%"}fs();
var c=d.querySelector(".size");if(c){c.hidden=false;c.addEventListener("click",function(e){var b=e.target.closest("button");if(!b)return;i=Math.max(0,Math.min(sizes.length-1,i+(+b.dataset.size)));try{localStorage.setItem(key,i)}catch(x){}fs()})}
var ul=d.querySelector("nav ul");if(!ul)return;var links=[].slice.call(ul.querySelectorAll("a"));
function hint(){ul.parentNode.classList.toggle("more",ul.scrollLeft+ul.clientWidth<ul.scrollWidth-2)}
ul.addEventListener("scroll",hint,{passive:true});addEventListener("resize",hint);hint();
if(!window.IntersectionObserver)return;
var io=new IntersectionObserver(function(es){es.forEach(function(e){if(!e.isIntersecting)return;links.forEach(function(a){if(a.hash=="#"+e.target.id){a.setAttribute("aria-current","true");ul.scrollLeft=Math.max(0,a.offsetLeft-ul.clientWidth/3)}else a.removeAttribute("aria-current")})})},{rootMargin:"-45% 0px -50% 0px"});
d.querySelectorAll("main>section").forEach(function(s){io.observe(s)})})();
